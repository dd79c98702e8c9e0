/**
 * Census: patients, visits, locations and care teams kept current from HL7 ADT, and staff coverage
 * (which nurse, tech or charge nurse covers a bed or a unit, and when).
 */
export type {
  CareTeamMember,
  CareTeamSource,
  CensusStore,
  Patient,
  PatientAtLocation,
  PatientIdentifier,
  PatientLocation,
  Provider,
  Visit,
  VisitStatus,
} from '../store/census-port.ts';
export {
  ADT_EVENTS,
  type AdtAction,
  type AdtReadOptions,
  adtToCensusChange,
  type CareTeamField,
  type CareTeamRole,
  type CensusChange,
  CensusMessageError,
  type VisitFacts,
} from './adt-change.ts';
export type { PatientFacts } from './adt-fields.ts';
export { applyCensusChange, type CensusFieldChange, type CensusUpdate } from './apply.ts';
export { membersInRole, roleName } from './care-team.ts';
export { applyAdt, Census, type CensusOptions } from './census.ts';
export { type CoverageLoadOptions, coverageKey, loadCoverage } from './coverage-load.ts';
export type { CoveragePlan, StaffCoverage } from './coverage-plan.ts';
export { type CoverageMatch, CoverageResolver, type CoveredPlace } from './coverage-resolver.ts';
export { parseHl7Date, parseHl7Time } from './hl7-time.ts';
export { formatLocation, sameLocation } from './location.ts';
export { formatClock, parseClock, type ShiftWindow, windowCovers } from './shift-window.ts';
