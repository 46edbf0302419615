/**
 * A fake camera's picture for Chromium's --use-file-for-fake-video-capture: a resident's card
 * (its QR) lying on the counter beside a product with its EAN-13, as one Y4M video (YUV 4:2:0,
 * grey levels only: Y carries the image, U and V stay 128). The barcode's bars come from bwip-js
 * (the same encoder label printers use), not from our own encoder, so the test checks our reading
 * against an independent writer.
 */
import { writeFileSync } from "node:fs";
import bwipjs from "bwip-js/node";
import QRCode from "qrcode";

const dark = 16;
const white = 235;
const desk = 200;

/** Paints a white label with `modules` (true = dark) scaled up, centred in the given box. */
function paint(y: Buffer, width: number, box: { left: number; top: number; w: number; h: number }, cols: number, rows: number, dot: (row: number, col: number) => boolean, scaleX: number, scaleY: number) {
  const left = box.left + Math.floor((box.w - cols * scaleX) / 2);
  const top = box.top + Math.floor((box.h - rows * scaleY) / 2);
  for (let row = 0; row < rows * scaleY; row++) {
    for (let col = 0; col < cols * scaleX; col++) {
      y[(top + row) * width + left + col] = dot(Math.floor(row / scaleY), Math.floor(col / scaleX)) ? dark : white;
    }
  }
}

/** A product barcode to film: its digits and its symbology, as bwip-js names them. */
export type ProductBarcode = { code: string; bcid: "ean13" | "ean8" | "upca" | "upce" };

/** The bars of a product barcode as dark/light modules, quiet zones included. */
export function barModules({ code, bcid }: ProductBarcode): boolean[] {
  // bwip-js answers the symbol as alternating bar and space widths in modules, a bar first.
  const [symbol] = bwipjs.raw({ bcid, text: code }) as Array<{ sbs: number[] }>;
  const quiet = 11;
  const modules: boolean[] = Array(quiet).fill(false);
  symbol.sbs.forEach((widthModules, i) => modules.push(...Array(widthModules).fill(i % 2 === 0)));
  modules.push(...Array(quiet).fill(false));
  return modules;
}

/**
 * Writes `path`: the card's QR (`qrText`, left half; omitted when null) and the product's
 * barcode (`barcode`, right half; omitted when null) on a grey desk.
 */
export function counterVideo(path: string, qrText: string | null, barcode: ProductBarcode | null, width = 960, height = 480, frames = 4) {
  const y = Buffer.alloc(width * height, desk);
  const half = { w: width / 2, h: height };
  if (qrText) {
    const qr = QRCode.create(qrText, { errorCorrectionLevel: "M" });
    const quiet = 4;
    const size = qr.modules.size + 2 * quiet;
    const scale = Math.floor((Math.min(half.w, half.h) - 40) / size);
    const inside = (r: number, c: number) => r >= quiet && c >= quiet && r < size - quiet && c < size - quiet && !!qr.modules.get(r - quiet, c - quiet);
    paint(y, width, { left: 0, top: 0, ...half }, size, size, inside, scale, scale);
  }
  if (barcode) {
    const modules = barModules(barcode);
    const scale = Math.floor((half.w - 20) / modules.length);
    paint(y, width, { left: half.w, top: 0, ...half }, modules.length, 1, (_r, c) => modules[c], scale, Math.floor(height / 2));
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
