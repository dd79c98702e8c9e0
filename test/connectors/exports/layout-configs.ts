/** connectors.yaml entries of the shipped layouts that several export tests run. */

export const epicOnCallFinderConfig = `
connectors:
  - id: epic-ocf
    kind: epic-on-call-finder
    target: OUT
    personId: uniqueId
    window: { daysBack: 1, daysForward: 2 }
    cadence: every 5 minutes
    include: { notes: true, placeholders: true }
    options:
      assignmentFields:
        cardiology-oncall: { teamId: '1001', teamName: Cardiology, role: Attending, notePrefix: 'Call via operator.', teamComment: 'Cath lab 5-1234' }
        hospitalist: { teamId: '1002', role: Hospitalist }
`;

export const epicOpTimeConfig = `
connectors:
  - id: optime
    kind: epic-optime
    target: OUT
    window: { daysBack: 0, daysForward: 7 }
    cadence: daily at 05:00
    options:
      assignmentFields:
        anesthesia-or: { importGroup: MAIN OR, resourceType: '1234', role: Anesthesiologist, timeZone: America/Chicago }
        cardiology-oncall: { importGroup: CATH, resourceType: '77' }
        hospitalist: { importGroup: MED, resourceType: '88' }
`;
