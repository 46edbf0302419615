import { zh, type Dictionary } from "./zh";
export const en: Dictionary = zh;
