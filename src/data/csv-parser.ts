import { UserError } from "../errors.js";

/**
 * An incremental RFC 4180 parser: feed it text chunks with `push`, then call `end`. It handles quoted
 * fields with embedded delimiters, doubled quotes ("") and line breaks, and CRLF, LF or CR line ends.
 * Fully blank lines are skipped. Each row must have as many cells as the first row; a row that does
 * not is refused with a UserError naming the file, the line and both counts.
 *
 * Lenient where files in the wild need it: a quote inside an unquoted field is kept as text, and
 * text after a closing quote is appended to the field.
 */
export class CsvParser {
  /** Parsed rows (the first one is the header when the file has one). */
  readonly rows: string[][] = [];
  /** 1-based line on which each row starts. */
  readonly lines: number[] = [];

  private row: string[] = [];
  private field = "";
  private inQuotes = false;
  private quotedField = false;
  private afterQuote = false;
  private maybeDoubled = false;
  private rowHadQuote = false;
  private pendingCR = false;
  private line = 1;
  private rowLine = 1;
  private quoteLine = 1;
  private readonly delim: string;

  private width = -1;
  private firstLine = 0;

  /**
   * @param onRow when given, each row goes to it (with the line it starts on) instead of into `rows`, so
   *   that a big file is never held as row arrays
   */
  constructor(
    delimiter: string,
    private readonly source: string,
    private readonly onRow?: (row: string[], line: number) => void,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
      throw new UserError(
        `delimiter must be one character other than a quote or line break; got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delim = delimiter;
  }

  /** Parses the next chunk of text. */
  push(text: string): void {
    const d = this.delim;
    let i = 0;
    const n = text.length;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (n > 0 && text[0] === "\n") i = 1;
    }
    while (i < n) {
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        const stop = q < 0 ? n : q;
        const piece = text.slice(i, stop);
        this.field += piece;
        this.line += countLineBreaks(piece);
        if (q < 0) return;
        // a quote: either a doubled quote or the end of the quoted field
        if (q + 1 < n) {
          if (text[q + 1] === '"') {
            this.field += '"';
            i = q + 2;
          } else {
            this.inQuotes = false;
            this.afterQuote = true;
            i = q + 1;
          }
        } else {
          // the quote is the chunk's last character: decide on the next chunk
          this.inQuotes = false;
          this.afterQuote = true;
          this.maybeDoubled = true;
          return;
        }
        continue;
      }
      if (this.maybeDoubled) {
        this.maybeDoubled = false;
        if (text[i] === '"') {
          this.field += '"';
          this.inQuotes = true;
          this.afterQuote = false;
          i++;
          continue;
        }
      }
      const c = text[i]!;
      if (c === d) {
        this.endField();
        i++;
      } else if (c === "\n" || c === "\r") {
        this.endField();
        this.endRow();
        this.line++;
        this.rowLine = this.line;
        if (c === "\r") {
          if (i + 1 < n) {
            if (text[i + 1] === "\n") i++;
          } else {
            this.pendingCR = true;
          }
        }
        i++;
      } else if (c === '"' && this.field.length === 0 && !this.quotedField && !this.afterQuote) {
        this.inQuotes = true;
        this.quotedField = true;
        this.quoteLine = this.line;
        this.rowHadQuote = true;
        i++;
      } else {
        // plain run up to the next delimiter, line break or (at field start only) quote
        let j = i + 1;
        while (j < n) {
          const cj = text[j]!;
          if (cj === d || cj === "\n" || cj === "\r") break;
          j++;
        }
        this.field += text.slice(i, j);
        i = j;
      }
    }
  }

  /** Finishes parsing (flushes the last row); throws when a quoted field is never closed. */
  end(): void {
    if (this.inQuotes) {
      throw new UserError(
        `${this.source}: line ${this.quoteLine}: a quoted field is never closed (the file ends inside quotes)`,
        'close the quote, or double quotes inside quoted fields ("")',
      );
    }
    this.maybeDoubled = false;
    if (this.field.length > 0 || this.row.length > 0 || this.rowHadQuote) {
      this.endField();
      this.endRow();
    }
  }

  private endField(): void {
    this.row.push(this.field);
    this.field = "";
    this.quotedField = false;
    this.afterQuote = false;
    this.maybeDoubled = false;
  }

  private endRow(): void {
    const row = this.row;
    this.row = [];
    const hadQuote = this.rowHadQuote;
    this.rowHadQuote = false;
    if (row.length === 1 && row[0] === "" && !hadQuote) return; // a blank line
    if (this.width < 0) {
      this.width = row.length;
      this.firstLine = this.rowLine;
    }
    const expected = this.width;
    if (row.length !== expected) {
      throw new UserError(
        `${this.source}: line ${this.rowLine}: expected ${expected} cells (as on line ${this.firstLine}) but found ${row.length}`,
        row.length > expected
          ? "a cell may contain the delimiter without being quoted; quote it, or check the delimiter"
          : "a cell may be missing; leave it empty between delimiters rather than dropping it",
      );
    }
    if (this.onRow) this.onRow(row, this.rowLine);
    else {
      this.rows.push(row);
      this.lines.push(this.rowLine);
    }
  }
}

/** Line feeds in `s` (line breaks inside quoted fields; CR-only breaks there are not counted). */
function countLineBreaks(s: string): number {
  let n = 0;
  let at = s.indexOf("\n");
  while (at >= 0) {
    n++;
    at = s.indexOf("\n", at + 1);
  }
  return n;
}
