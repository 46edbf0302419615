/**
 * Bounds an import file before anything parses it. An XLSX file is a zip archive, and a 100 KB
 * archive can unpack to 100 MB of XML (a "zip bomb"): read-excel-file would inflate all of it
 * into memory and parse it in one go, freezing the server. So the archive is first inflated as a
 * stream, a few KB at a time, counting what comes out (bytes, worksheets, rows), and refused the
 * moment a limit is passed; nothing is kept. A CSV file's lines are counted before papaparse
 * builds a row per line.
 *
 * Web APIs and fflate only, so it runs on Workers as on Node. It yields to the event loop as it
 * goes, so other requests are answered while a big file is checked.
 */
import { Unzip, UnzipInflate, type UnzipFile } from "fflate";
import { limits } from "../../shared/limits";
import { DomainError } from "./errors";

export type ImportLimit = "unpackedBytes" | "sheets" | "rows";

function tooLarge(limit: ImportLimit, max: number): never {
  throw new DomainError("IMPORT_TOO_LARGE", { limit, max });
}

/** Compressed bytes fed to the inflater at once: deflate expands at most ~1,000×, so ≤ 2 MB out. */
const chunkBytes = 2 * 1024;
/** Work done between two yields to the event loop. */
const sliceMs = 10;

/** Lets other requests run (a macrotask, so pending I/O callbacks get their turn). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const worksheetPath = /^xl\/worksheets\/[^/]+\.xml$/i;
const rowTag = [0x3c, 0x72, 0x6f, 0x77]; // "<row"
const tagEnd = new Set([0x20, 0x09, 0x0a, 0x0d, 0x3e, 0x2f]); // space, tab, LF, CR, ">", "/"

/** Counts the `<row` start tags in `bytes` that begin before `end`. */
function countRowTags(bytes: Uint8Array, end: number): number {
  let rows = 0;
  for (let i = bytes.indexOf(0x3c); i !== -1 && i < end; i = bytes.indexOf(0x3c, i + 1)) {
    if (bytes[i + 1] === rowTag[1] && bytes[i + 2] === rowTag[2] && bytes[i + 3] === rowTag[3] && tagEnd.has(bytes[i + 4])) rows++;
  }
  return rows;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joint = new Uint8Array(a.length + b.length);
  joint.set(a);
  joint.set(b, a.length);
  return joint;
}

/**
 * Counts `<row` start tags in a worksheet streamed in chunks, without copying the (large)
 * chunks. A tag is counted where it starts, once the character after its name is known, so the
 * last few bytes of a chunk wait for the next one. `<rowBreaks>` and the like are not rows.
 */
export function sheetRowCounter() {
  const keep = rowTag.length;
  let tail = new Uint8Array(0);
  let rows = 0;
  return {
    push(chunk: Uint8Array): number {
      if (chunk.length <= keep) {
        const bytes = concat(tail, chunk);
        const end = Math.max(0, bytes.length - keep);
        rows += countRowTags(bytes, end);
        tail = bytes.slice(end);
        return rows;
      }
      // Tags that start in the held-back bytes end within the next keep + 1 bytes.
      if (tail.length > 0) rows += countRowTags(concat(tail, chunk.subarray(0, keep + 1)), tail.length);
      const end = chunk.length - keep;
      rows += countRowTags(chunk, end);
      tail = chunk.slice(end);
      return rows;
    },
  };
}

/**
 * Inflates an XLSX archive as a stream, without keeping it, and refuses it (IMPORT_TOO_LARGE)
 * once it unpacks to more than `importUnpackedBytesMax`, holds more than `importSheetsMax`
 * worksheets, or a worksheet has more than `importSheetRowsMax` rows. Throws `damaged` (the
 * caller's error) when the archive cannot be read.
 */
export async function checkXlsxArchive(bytes: Uint8Array, damaged: () => never): Promise<void> {
  let unpackedBytes = 0;
  let sheets = 0;
  let exceeded: { limit: ImportLimit; max: number } | null = null;
  const exceed = (limit: ImportLimit, max: number) => {
    exceeded ??= { limit, max };
  };
  const unzip = new Unzip((file: UnzipFile) => {
    const isSheet = worksheetPath.test(file.name);
    if (isSheet && ++sheets > limits.importSheetsMax) return exceed("sheets", limits.importSheetsMax);
    if ((file.originalSize ?? 0) > limits.importUnpackedBytesMax) return exceed("unpackedBytes", limits.importUnpackedBytesMax);
    const rows = isSheet ? sheetRowCounter() : null;
    file.ondata = (err, chunk) => {
      if (err) throw err;
      if (exceeded) return;
      unpackedBytes += chunk.length;
      if (unpackedBytes > limits.importUnpackedBytesMax) return exceed("unpackedBytes", limits.importUnpackedBytesMax);
      if (rows && rows.push(chunk) > limits.importSheetRowsMax) exceed("rows", limits.importSheetRowsMax);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  let sliceStarted = Date.now();
  for (let offset = 0; offset < bytes.length && !exceeded; offset += chunkBytes) {
    try {
      unzip.push(bytes.subarray(offset, offset + chunkBytes), offset + chunkBytes >= bytes.length);
    } catch {
      if (!exceeded) damaged();
    }
    if (Date.now() - sliceStarted > sliceMs) {
      await yieldToEventLoop();
      sliceStarted = Date.now();
    }
  }
  const over = exceeded as { limit: ImportLimit; max: number } | null;
  if (over) tooLarge(over.limit, over.max);
}

/**
 * Refuses a CSV text with more lines than `importSheetRowsMax` before it is split into rows
 * (papaparse keeps an array per line: 5 MB of empty lines would be 5 million arrays).
 */
export function checkCsvLines(text: string): void {
  const count = (ch: string) => {
    let n = 0;
    for (let i = text.indexOf(ch); i !== -1 && n <= limits.importSheetRowsMax; i = text.indexOf(ch, i + 1)) n++;
    return n;
  };
  // "\r\n" (Windows), "\n" (everyone else) or a lone "\r" (old Macs): the larger count bounds the lines.
  if (Math.max(count("\n"), count("\r")) >= limits.importSheetRowsMax) tooLarge("rows", limits.importSheetRowsMax);
}
