/**
 * A one-sheet XLSX written as a stream: rows go out as they are read, so a register of 100,000
 * entries never sits in memory whole. write-excel-file builds the whole sheet in memory before
 * it zips (its `toStream` streams only the finished archive), so for the big books the sheet's
 * XML is written here, row by row, into fflate's streaming Zip (already a dependency; Web
 * streams only, so it runs on Workers as on Node). An XLSX is a zip of a few XML parts: the
 * fixed ones below and one worksheet whose rows are written as inline strings (`inlineStr`, no
 * shared-strings table to hold back) and numbers.
 *
 * Text is always written as text, never as a formula: a household named `=HYPERLINK("x")` stays
 * those characters in Excel (a formula needs an `<f>` element, which this writer never writes).
 */
import { Zip, ZipDeflate } from "fflate";

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

function cellXml(value: StreamCell, ref: string, style: number): string {
  const s = style ? ` s="${style}"` : "";
  if (value === null || value === "") return "";
  if (typeof value === "number") return `<c r="${ref}"${s}><v>${Number.isFinite(value) ? value : 0}</v></c>`;
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
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
 * The workbook as a stream of bytes. Each pull reads one batch of rows (`sheet.next`), deflates
 * its XML and hands on what the zip produced; the fixed parts go first.
 */
export function streamXlsx(sheet: StreamSheet): ReadableStream<Uint8Array> {
  let zip: Zip;
  let rows: ZipDeflate;
  let rowNumber = 1;
  let pending: Uint8Array[] = [];
  let done = false;
  let failure: Error | null = null;
  const fixed = (name: string, text: string) => {
    const part = new ZipDeflate(name, { level: 6 });
    zip.add(part);
    part.push(encoder.encode(text), true);
  };
  return new ReadableStream<Uint8Array>(
    {
      start() {
        zip = new Zip((err, chunk, final) => {
          if (err) failure = err;
          else pending.push(chunk);
          if (final) done = true;
        });
        fixed("[Content_Types].xml", contentTypes);
        fixed("_rels/.rels", rootRels);
        fixed("xl/workbook.xml", workbookXml(sheet.name));
        fixed("xl/_rels/workbook.xml.rels", workbookRels);
        fixed("xl/styles.xml", styles);
        // level 1: the sheet is large and repetitive; speed matters more than the last few percent.
        rows = new ZipDeflate("xl/worksheets/sheet1.xml", { level: 1 });
        zip.add(rows);
        rows.push(encoder.encode(sheetStart(sheet)));
      },
      async pull(controller) {
        // Read until the zip has something to hand on (the deflater buffers small inputs).
        while (pending.length === 0 && !done) {
          const batch = await sheet.next();
          if (batch.length === 0) {
            rows.push(encoder.encode("</sheetData></worksheet>"), true);
            zip.end();
          } else {
            rows.push(encoder.encode(batch.map((cells) => rowXml(cells, ++rowNumber)).join("")));
          }
          if (failure) throw failure;
        }
        const out = pending;
        pending = [];
        for (const chunk of out) controller.enqueue(chunk);
        if (done && pending.length === 0) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
