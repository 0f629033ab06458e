import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRetentionDoc } from './retention-doc';

const target = join(__dirname, '..', 'docs', 'retention.md');
writeFileSync(target, renderRetentionDoc());
console.log(`wrote ${target}`);
