import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);

/** Every file of a folder of the repository (test/fixtures/hl7, config/rules …) ending in one of `endings`. */
export function filesOf(folder: string, endings: readonly string[]): Buffer[] {
  const dir = new URL(`${folder}/`, root);
  return readdirSync(dir)
    .filter((name) => endings.some((ending) => name.endsWith(ending)))
    .sort()
    .map((name) => readFileSync(new URL(name, dir)));
}
