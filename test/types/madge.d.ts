/** The part of madge's API (https://github.com/pahen/madge#api) test/structure.test.ts uses; it ships no types. */
declare module "madge" {
  interface MadgeConfig {
    fileExtensions?: string[];
    tsConfig?: string;
    baseDir?: string;
  }
  interface MadgeInstance {
    /** Module path (relative to the scanned folder) → the modules it imports. */
    obj(): Record<string, string[]>;
    /** Every import cycle, as the list of modules on it. */
    circular(): string[][];
    /** Imports madge could not resolve (a cycle through one of them would go unseen). */
    warnings(): { skipped: string[] };
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeInstance>;
}
