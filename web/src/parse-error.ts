/** Where in a query the server found an error, and what it said. */
export interface QueryError {
  /** The server's message, as it gave it. */
  message: string;
  /** 1-based line of the error, when the server gave one. */
  line?: number;
  /** 1-based column of the error, when the server gave one. */
  column?: number;
  /** 0-based offset of the error in the query text, when known. */
  offset?: number;
}

/** Reads the position out of a PromQL error ("invalid parameter \"query\": 1:5: parse error: ..."). */
export function parseQueryError(error: string, query: string): QueryError {
  const message = error;
  const m = /^(\d+):(\d+):\s*(.*)$/s.exec(error.replace(/^invalid parameter "[^"]*":\s*/, ''));
  if (!m) return { message };
  const line = Number(m[1]);
  const column = Number(m[2]);
  const lines = query.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  offset = Math.min(query.length, offset + Math.max(0, column - 1));
  return { message, line, column, offset };
}
