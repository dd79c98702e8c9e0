/**
 * Reading a nurse-call or telemetry message: which event it is (a water request, a bathroom call, a
 * code, a lethal arrhythmia), where (unit, room, bed) and which station to call back. Nurse-call
 * systems put this in the recipientID, the text, or both ("Rm 412 Bed A: Bathroom, call back 4123");
 * the recipientID's captured parts win over what the text says.
 */
import type { PatientContext } from '../../model.ts';
import type { Priority, RecipientSpec } from '../../rules/types.ts';
import type { WctpDestination } from './address-book.ts';
import type { NurseCallEvent, WctpRoutingTable } from './routing-table.ts';

type Location = NonNullable<PatientContext['location']>;

export interface NurseCallReading {
  event?: NurseCallEvent;
  /** The word or captured part that named the event, for the timeline. */
  namedBy?: string;
  location?: Location;
  callback?: string;
}

const ROOM = /\b(?:rm|room)\.?\s*#?\s*([A-Za-z]?\d+[A-Za-z]?)(?:\s*-\s*([A-Za-z0-9]{1,2})\b)?/i;
const BED = /\bbed\s*#?\s*([A-Za-z0-9]{1,4})\b/i;
const UNIT = /\bunit\s*#?\s*([A-Za-z0-9]+)\b/i;
const CALLBACK =
  /\b(?:call\s*back|callback|cb|ext\.?|extension|station)\s*(?:no\.?|number)?\s*[:#]?\s*(\+?[0-9][0-9*#-]{1,20})/i;

export function readNurseCall(
  text: string,
  dest: WctpDestination,
  table: WctpRoutingTable,
): NurseCallReading {
  const reading: NurseCallReading = {};
  if (dest.event) {
    const wanted = dest.event.toLowerCase();
    reading.event = table.events.find((e) => e.id.toLowerCase() === wanted || e.words.includes(wanted));
    if (reading.event) reading.namedBy = `recipientID part '${dest.event}'`;
  }
  if (!reading.event) {
    const lower = text.toLowerCase();
    for (const event of table.events) {
      const word = event.words.find((w) => containsWord(lower, w));
      if (word) {
        reading.event = event;
        reading.namedBy = `the text says '${word}'`;
        break;
      }
    }
  }
  const fromText: Location = {};
  const room = ROOM.exec(text);
  if (room) {
    fromText.room = room[1];
    if (room[2]) fromText.bed = room[2];
  }
  const bed = BED.exec(text);
  if (bed) fromText.bed = bed[1];
  const unit = UNIT.exec(text);
  if (unit) fromText.unit = unit[1];
  const location: Location = {
    unit: dest.location?.unit ?? fromText.unit,
    room: dest.location?.room ?? fromText.room,
    bed: dest.location?.bed ?? fromText.bed,
  };
  if (location.unit || location.room || location.bed) reading.location = location;
  reading.callback = dest.callback || CALLBACK.exec(text)?.[1];
  return reading;
}

/** A word or phrase, not part of a longer word ('bath' is in "bathroom" only if listed so). */
function containsWord(text: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + word.length] ?? '';
    if (!/[a-z0-9]/.test(before) && !/[a-z0-9]/.test(after)) return true;
    from = at + 1;
  }
}

const rank: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/**
 * Who hears a nurse call: the event's own recipients when it names them; otherwise the staff covering
 * the bed, by intensity: low and normal calls to the tech, high and urgent ones to the nurse.
 */
export function nurseCallRecipients(
  event: NurseCallEvent | undefined,
  priority: Priority,
  table: WctpRoutingTable,
): { to: RecipientSpec[]; why: string } {
  if (event?.to) return { to: [...event.to], why: `event ${event.id} names its recipients` };
  const licensed = rank[priority] >= rank.high;
  const role = licensed ? table.nurseCall.nurseRole : table.nurseCall.techRole;
  return {
    to: [{ kind: 'coverage', role, scope: 'bedOrUnit', at: event?.at ?? { file: 'wctp', key: 'nurseCall' } }],
    why: `${priority} intensity → the ${role} covering the bed`,
  };
}
