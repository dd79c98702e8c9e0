/**
 * The routing core's side of voice: how the SIP gateway asks "who answers this number now?". Like the
 * inbound port, the gateway knows only this interface; the routing core implements it from the dial plan,
 * the schedules, the directory and the census.
 */

/** One person to ring, and why (for the call detail record and the logs). */
export interface CallTarget {
  personId: string;
  reason: string;
}

export type CallRoute =
  | {
      kind: 'people';
      /** Dial-plan entry id. */
      id: string;
      /**
       * Who to ring, in order: every target of a stage rings at once; a stage that is not answered within
       * `noAnswerMs` (or that is busy or fails) hands over to the next.
       */
      stages: CallTarget[][];
      noAnswerMs: number;
      /** Why the route found nobody, when stages is empty ("nobody on call for …"). */
      notes: string[];
    }
  | { kind: 'trunk'; id: string; number: string };

export interface CallRoutingPort {
  /** The route for a dialled number (the Request-URI's user part), or undefined when the dial plan has none. */
  route(dialled: string, at: Date): Promise<CallRoute | undefined>;
}
