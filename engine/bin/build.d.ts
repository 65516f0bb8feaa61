/** Types for engine/bin/build.js (plain JavaScript so it runs before anything is built). */
export declare const root: string;
export declare const distDir: string;
export declare const entry: string;
export declare function buildState(): "fresh" | "stale" | "missing";
export declare function build(options?: { quiet?: boolean }): void;
