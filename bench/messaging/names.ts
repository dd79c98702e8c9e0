/** The generated hospital's names, shared by the benchmark's server and its in-process baseline. */
export const BENCH_PASSWORD = 'bench-password';

const SURNAMES = [
  'Ahmed',
  'Brennan',
  'Castro',
  'Dubois',
  'Eriksen',
  'Farouk',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
];
const SPECIALTIES = [
  'Cardiology',
  'Neurology',
  'Oncology',
  'Surgery',
  'Pediatrics',
  'Radiology',
  'Nephrology',
  'Urology',
];

export function hospitalNames(people: number, assignments: number) {
  return {
    people: Array.from({ length: people }, (_, i) => `Dr. ${SURNAMES[i % 10]} ${i}`),
    assignments: Array.from(
      { length: assignments },
      (_, i) => `${SPECIALTIES[i % 8]} ${Math.floor(i / 8)} on call`,
    ),
  };
}
