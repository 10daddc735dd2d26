/** What the catalog remembers of an indexed file: enough to tell unchanged files apart without reading them. */
export interface CatalogFileState {
  size: number;
  mtimeMs: number;
  contentHash: string;
}

/** What a stat-only scan of the working tree sees of a file. */
export interface ScannedFile {
  size: number;
  mtimeMs: number;
}
