// The registry's columns, read from data/registry/columns.csv (the server's own declaration) at
// build time: the person form and the detail page are built from it.
import csv from "../../../data/registry/columns.csv?raw";

export interface Column {
  key: string;
  label: string;
  /** name, id_number, date, phone, text, address, grid, or code:<table key> */
  type: string;
  codeTable: string | null;
}

export const columns: Column[] = csv
  .split(/\r?\n/)
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => {
    const [key, label, type] = line.split(",");
    return {
      key,
      label,
      type,
      codeTable: type.startsWith("code:") ? type.slice(5) : null,
    };
  });

export const columnByKey = new Map(columns.map((c) => [c.key, c]));
