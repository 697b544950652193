/** Lines a page writes with `window.dump()` for the Firefox driver start with this (see drivers.ts). */
export const DUMP_PREFIX = 'HANGUP-DUMP ';
