import type { PatientLocation } from '../store/census-port.ts';

export const NO_LOCATION: Readonly<PatientLocation> = Object.freeze({
  facility: '',
  unit: '',
  room: '',
  bed: '',
});

/** Same place, compared the way people read bed labels: without regard to case or padding spaces. */
export function sameLocation(a: PatientLocation | undefined, b: PatientLocation | undefined): boolean {
  const x = a ?? NO_LOCATION;
  const y = b ?? NO_LOCATION;
  return (['facility', 'unit', 'room', 'bed'] as const).every(
    (k) => x[k].trim().toUpperCase() === y[k].trim().toUpperCase(),
  );
}

export function isEmptyLocation(l: PatientLocation | undefined): boolean {
  return sameLocation(l, NO_LOCATION);
}

/** How a timeline shows a location: 'RGH/4W 401-A', '4W', 'ICU ICU-3' ('' for none). */
export function formatLocation(l: PatientLocation | undefined): string {
  if (l === undefined) return '';
  const place = [l.room, l.bed].filter((p) => p !== '').join('-');
  const ward = [l.unit, place].filter((p) => p !== '').join(' ');
  return l.facility === '' ? ward : `${l.facility}/${ward}`;
}
