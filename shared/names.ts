/** How people's names appear on anything residents or the public read. */

/** 张三华 → 张*华, 李四 → 李*: keeps the first and last character, hides the rest. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join("");
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
