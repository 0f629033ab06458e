import type { StackArtifact } from '../assembly';
import { sortedBy } from '../cfn';

export interface CellStacks {
  readonly name: string;
  readonly stacks: readonly StackArtifact[];
}

/** `Optline-<cell>-Data` and `Optline-<cell>-Api` make a cell (DESIGN §1). */
const CELL_STACK = /^Optline-(.+)-(Data|Api)$/;

/**
 * Groups the assembly's stacks into cells, Data before Api. A stack outside the naming scheme becomes a cell
 * of its own, named after the stack, so that nothing in the assembly escapes the report.
 */
export function groupCells(stacks: readonly StackArtifact[]): CellStacks[] {
  const cells = new Map<string, StackArtifact[]>();
  for (const stack of stacks) {
    const name = CELL_STACK.exec(stack.name)?.[1] ?? stack.name;
    cells.set(name, [...(cells.get(name) ?? []), stack]);
  }
  const partOrder = (stack: StackArtifact) => `${stack.name.endsWith('-Data') ? 0 : 1}${stack.name}`;
  return [...cells.entries()]
    .map(([name, members]) => ({ name, stacks: [...members].sort(sortedBy(partOrder)) }))
    .sort(sortedBy((cell) => cell.name));
}
