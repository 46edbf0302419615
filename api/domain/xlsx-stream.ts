/**
 * A one-sheet XLSX written as a stream: rows go out as they are read, so a register of 100,000
 * entries never sits in memory whole. write-excel-file builds the whole sheet in memory before
 * it zips (its `toStream` streams only the finished archive), so for the big books the sheet's
 * XML is written here, page by page. An XLSX is a zip of a few XML parts: the fixed ones below
 * and one worksheet whose rows are written as inline strings (`inlineStr`, no shared-strings table
 * to hold back) and numbers.
 *
 * The worksheet is deflated by the platform's own `CompressionStream` (zlib in Node, where it runs
 * off the main thread; native on Workers) rather than by fflate in JavaScript: for 100,000 register
 * entries that is half the CPU and a fifth fewer bytes (docs/bench.md, "The books"). Its "gzip"
 * format is used because the gzip trailer carries the CRC-32 a zip entry needs, computed natively
 * too; the header and trailer are taken off and the raw deflate data goes into the zip (fflate's
 * `Zip` writes the headers, the data descriptor and the central directory).
 *
 * Text is always written as text, never as a formula: a household named `=HYPERLINK("x")` stays
 * those characters in Excel (a formula needs an `<f>` element, which this writer never writes).
 */
import { Zip, ZipDeflate, type ZipInputFile } from "fflate";

/** One cell: text (written as text whatever it starts with), a whole number, or empty. */
export type StreamCell = string | number | null;

export interface StreamSheet {
  /** The sheet's tab name (at most 31 characters; Excel refuses `[]:*?/\`). */
  name: string;
  /** Column widths in characters, in column order. */
  widths: number[];
  /** The header row, in bold. */
  header: string[];
  /**
   * Hands out the next rows each time it is called; an empty array ends the sheet. Called only
   * when the reader wants more, so a slow download holds back the reading of the database.
   */
  next: () => Promise<StreamCell[][]>;
}

const encoder = new TextEncoder();

/** Anything `xmlText` must change: markup characters, controls, lone surrogates' halves, U+FFFE/F. */
const needsEscape = /[&<>"\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** XML text: the five escapes, and characters XML 1.0 cannot hold dropped. */
export function xmlText(value: string): string {
  // Most text (names, rules, dates) needs nothing: skip the replacements.
  if (!needsEscape.test(value)) return value;
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** `A`, `B`, … `Z`, `AA`: the column letters of a 0-based column index. */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Column letters of the first 64 columns, worked out once: every cell names its column. */
const columnNames = Array.from({ length: 64 }, (_, i) => columnName(i));

/** Text that starts or ends with whitespace, which XML readers may drop unless told to keep it. */
const edgeSpace = /^[\t\n\r ]|[\t\n\r ]$/;

function cellXml(value: StreamCell, ref: string, style: number): string {
  const s = style ? ` s="${style}"` : "";
  if (value === null || value === "") return "";
  if (typeof value === "number") return `<c r="${ref}"${s}><v>${Number.isFinite(value) ? value : 0}</v></c>`;
  const text = xmlText(value);
  // `xml:space="preserve"` only where it matters (as Excel and XlsxWriter write it): on every
  // cell it was a quarter of the sheet's bytes, all of which had to be built and deflated.
  return `<c r="${ref}"${s} t="inlineStr"><is>${edgeSpace.test(text) ? '<t xml:space="preserve">' : "<t>"}${text}</t></is></c>`;
}

/** One `<row>`: row numbers count from 1; style 1 is bold (the header). */
export function rowXml(cells: StreamCell[], rowNumber: number, style = 0): string {
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < cells.length; i++) xml += cellXml(cells[i], `${columnNames[i] ?? columnName(i)}${rowNumber}`, style);
  return `${xml}</row>`;
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;
const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const workbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;
const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`;

function workbookXml(sheetName: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlText(sheetName.replace(/[[\]:*?/\\]/g, " ").slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`;
}

function sheetStart(sheet: StreamSheet): string {
  const cols = sheet.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join("");
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>${cols}</cols><sheetData>${rowXml(sheet.header, 1, 1)}`;
}

/**
 * Rows as UTF-8, one `<row>` after another, numbered on from `rowNumber`. Each row's string is
 * encoded into one page buffer as soon as it is written: encoding the page as one string would
 * first flatten the thousands of small strings it is built of, which cost more than writing them.
 */
function encodeRows(batch: StreamCell[][], rowNumber: number, sizeHint: number): Uint8Array<ArrayBuffer> {
  let page = new Uint8Array(Math.max(sizeHint, 1 << 16));
  let used = 0;
  for (const cells of batch) {
    const xml = rowXml(cells, ++rowNumber);
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (page.length - used < xml.length * 3) {
      const larger = new Uint8Array(Math.max(page.length * 2, used + xml.length * 3));
      larger.set(page.subarray(0, used));
      page = larger;
    }
    used += encoder.encodeInto(xml, page.subarray(used)).written;
  }
  return page.subarray(0, used);
}

/**
 * Takes a gzip member (RFC 1952) apart as it streams by: hands on the raw deflate data between
 * its 10-byte header and its 8-byte trailer, and reads the trailer's CRC-32 and size at the end.
 */
class GzipMember {
  private header = new Uint8Array(10);
  private headerBytes = 0;
  private tail = new Uint8Array(0);

  /** The raw deflate data in `chunk` (none while the header or the last 8 bytes may still be in it). */
  push(chunk: Uint8Array): Uint8Array<ArrayBuffer>[] {
    if (this.headerBytes < 10) {
      const take = Math.min(10 - this.headerBytes, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerBytes);
      this.headerBytes += take;
      chunk = chunk.subarray(take);
      // Magic, deflate, and no optional fields (FLG 0): what every CompressionStream writes.
      if (this.headerBytes === 10 && (this.header[0] !== 0x1f || this.header[1] !== 0x8b || this.header[2] !== 8 || this.header[3] !== 0)) {
        throw new Error("CompressionStream wrote a gzip header this writer does not expect");
      }
    }
    const joined = new Uint8Array(this.tail.length + chunk.length);
    joined.set(this.tail);
    joined.set(chunk, this.tail.length);
    const keep = Math.max(0, joined.length - 8);
    this.tail = joined.slice(keep);
    return keep > 0 ? [joined.subarray(0, keep)] : [];
  }

  /** The CRC-32 of the data, once the whole member went by; its size must be `size` (mod 2^32). */
  end(size: number): number {
    const view = new DataView(this.tail.buffer, this.tail.byteOffset, this.tail.byteLength);
    if (this.headerBytes < 10 || this.tail.length !== 8 || view.getUint32(4, true) !== size % 2 ** 32) {
      throw new Error("CompressionStream's gzip member ended short of its trailer or sizes differ");
    }
    return view.getUint32(0, true);
  }
}

/**
 * The workbook as a stream of bytes. The fixed parts go first (deflated by fflate: they are
 * small). Then each pull reads one batch of rows (`sheet.next`) and writes its XML to the
 * compressor without waiting for it: while zlib deflates one page, the next is read. The page
 * before must have been taken by the compressor first, so at most two pages are in flight
 * whatever the reader's speed. The compressor's output goes into the zip as it comes, and a pull
 * ends as soon as the zip has something to hand on.
 */
export function streamXlsx(sheet: StreamSheet): ReadableStream<Uint8Array> {
  let pending: Uint8Array[] = [];
  let zipDone = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    notify();
  };
  const zip = new Zip((err, chunk, final) => {
    if (err) fail(err);
    else pending.push(chunk);
    if (final) zipDone = true;
  });
  const compressor = new CompressionStream("gzip");
  const writer = compressor.writable.getWriter();
  // fflate's Zip takes any entry that hands on its compressed data through `ondata`; `crc` and
  // `size` are read when the last chunk is handed on (they go into the data descriptor).
  const sheetPart: ZipInputFile = { filename: "xl/worksheets/sheet1.xml", compression: 8, size: 0, crc: 0 };
  let rowNumber = 1;
  let inputDone = false;
  let lastWrite: Promise<void> = Promise.resolve();
  let pageBytes = 0;

  /** Hands the compressor's output to the zip as it comes; at its end, closes the sheet and the zip. */
  async function drain() {
    const reader = compressor.readable.getReader();
    const member = new GzipMember();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const part of member.push(value)) sheetPart.ondata!(null, part, false);
      notify();
    }
    sheetPart.crc = member.end(sheetPart.size);
    sheetPart.ondata!(null, new Uint8Array(0), true);
    zip.end();
    notify();
  }

  /** Writes bytes of the sheet to the compressor once it has taken the bytes before. */
  async function write(bytes: Uint8Array<ArrayBuffer>) {
    await lastWrite;
    sheetPart.size += bytes.length;
    lastWrite = writer.write(bytes);
    // A failed write also errors the readable side, which `drain` reports.
    lastWrite.catch(() => undefined);
  }

  async function feed() {
    const batch = await sheet.next();
    if (batch.length === 0) {
      inputDone = true;
      await write(encoder.encode("</sheetData></worksheet>"));
      writer.close().catch(() => undefined);
    } else {
      const bytes = encodeRows(batch, rowNumber, Math.ceil(pageBytes * 1.25));
      rowNumber += batch.length;
      pageBytes = bytes.length;
      await write(bytes);
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      async start() {
        const fixed = (name: string, text: string) => {
          const part = new ZipDeflate(name, { level: 6 });
          zip.add(part);
          part.push(encoder.encode(text), true);
        };
        fixed("[Content_Types].xml", contentTypes);
        fixed("_rels/.rels", rootRels);
        fixed("xl/workbook.xml", workbookXml(sheet.name));
        fixed("xl/_rels/workbook.xml.rels", workbookRels);
        fixed("xl/styles.xml", styles);
        zip.add(sheetPart);
        drain().catch(fail);
        await write(encoder.encode(sheetStart(sheet)));
      },
      async pull(controller) {
        try {
          while (pending.length === 0 && !zipDone && failure === null) {
            if (!inputDone) await feed();
            else await new Promise<void>((resolve) => (wake = resolve));
          }
          if (failure !== null) throw failure;
        } catch (error) {
          // A failed read of the rows, or the compressor failing: stop the compressor too.
          inputDone = true;
          writer.abort(error).catch(() => undefined);
          throw error;
        }
        const out = pending;
        pending = [];
        for (const chunk of out) controller.enqueue(chunk);
        if (zipDone && pending.length === 0) controller.close();
      },
      async cancel(reason) {
        inputDone = true;
        await writer.abort(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
