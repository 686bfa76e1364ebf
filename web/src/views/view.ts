import type { Range, Route } from '../hash.js';

/** What the shell gives a view. */
export interface ViewContext {
  /** Where the view draws. */
  main: HTMLElement;
  /** The range in the URL. */
  range: Range;
  /** Shows or hides the connection banner. */
  banner(down: boolean): void;
  /** Moves to another route (writes the hash). */
  go(route: Route, replace?: boolean): void;
}

/** A shown view: left by calling `stop`; `setRange` when the picker changes. */
export interface View {
  /** Leaves the view (closes its stream, cancels its requests). */
  stop(): void;
  /** Shows another time range. */
  setRange(range: Range): void;
  /** Redraws charts after a theme change. */
  restyle(): void;
}
