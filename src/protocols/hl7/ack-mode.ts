/**
 * Original versus enhanced acknowledgment mode (HL7 v2.5 chapter 2, sections 2.9.2 and 2.9.3).
 * A sender asks for enhanced mode by valuing MSH-15 (accept acknowledgment type) or MSH-16
 * (application acknowledgment type), with the codes of HL7 table 0155:
 *   AL always, NE never, ER only on error/reject, SU only on successful completion.
 */
import type { MessageHeader } from './header.ts';

export interface AckMode {
  /** MSH-15 or MSH-16 is valued. */
  enhanced: boolean;
  /**
   * Send an acknowledgment once the message is safely stored and accepted: in enhanced mode a
   * commit ACK (CA) when MSH-15 is AL or SU; in original mode always (the one AA/AE/AR answer).
   */
  commitAckOnSuccess: boolean;
  /** Send one when it is refused (CE/CR, or AE/AR in original mode): MSH-15 AL or ER; original mode always. */
  commitAckOnError: boolean;
  /** Enhanced mode: the sender wants an application ACK after processing succeeds (MSH-16 AL or SU). */
  applicationAckOnSuccess: boolean;
  /** Enhanced mode: the sender wants an application ACK when processing fails (MSH-16 AL or ER). */
  applicationAckOnError: boolean;
}

/**
 * Which acknowledgments a table 0155 value asks for. An empty or unknown value in enhanced mode is
 * read as AL: answering a sender that did not want an answer costs little, leaving one waiting
 * for an answer it expected stalls its queue.
 */
function wants(ackType: string): { success: boolean; error: boolean } {
  switch (ackType.trim().toUpperCase()) {
    case 'NE':
      return { success: false, error: false };
    case 'ER':
      return { success: false, error: true };
    case 'SU':
      return { success: true, error: false };
    default:
      return { success: true, error: true };
  }
}

export function ackMode(header: MessageHeader): AckMode {
  const accept = header.acceptAckType.trim();
  const application = header.applicationAckType.trim();
  if (accept === '' && application === '') {
    // Original mode: exactly one ACK, from the receiving application, success or not.
    return {
      enhanced: false,
      commitAckOnSuccess: true,
      commitAckOnError: true,
      applicationAckOnSuccess: false,
      applicationAckOnError: false,
    };
  }
  const commit = wants(accept);
  const app = wants(application);
  return {
    enhanced: true,
    commitAckOnSuccess: commit.success,
    commitAckOnError: commit.error,
    applicationAckOnSuccess: app.success,
    applicationAckOnError: app.error,
  };
}
