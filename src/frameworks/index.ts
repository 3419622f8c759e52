/**
 * The framework registry: every framework the CLI can select with --framework, by its id.
 * One import per line, so adding a framework is a two-line change.
 */
import { cis30 } from './cis-3.0.js';
import { cis401 } from './cis-4.0.js';
import { cis50 } from './cis-5.0.js';
import { cis60 } from './cis-6.0.js';
import { fsbp } from './fsbp.js';
import { iso27001 } from './iso27001-2022.js';
import { nist80053r5 } from './nist-800-53-r5.js';
import { pciDss40 } from './pci-dss-4.0.js';
import { soc2 } from './soc2.js';

export const allFrameworks = [cis30, cis401, cis50, cis60, fsbp, nist80053r5, soc2, iso27001, pciDss40] as const;
