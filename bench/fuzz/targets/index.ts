import type { FuzzTarget } from '../target.ts';
import { hl7 } from './hl7.ts';
import { mime } from './mime.ts';
import { mllp } from './mllp.ts';
import { rules } from './rules.ts';
import { sip } from './sip.ts';
import { wctp } from './wctp.ts';

/** In the order `npm run fuzz` runs them, one at a time. */
export const TARGETS: readonly FuzzTarget[] = [hl7, mllp, wctp, sip, mime, rules];
