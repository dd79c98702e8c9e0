import pino, { type Logger } from 'pino';

/**
 * Paths that may carry PHI. Logs say which message and which sender, never what it says about a patient:
 * raw messages, parsed segments, patient fields and alert text are censored wherever they appear.
 */
export const phiPaths = [
  'raw',
  '*.raw',
  'body',
  '*.body',
  'text',
  '*.text',
  'patient',
  '*.patient',
  'segments',
  '*.segments',
  'req.body',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: phiPaths, censor: '[PHI]' },
      base: { service: 'switchboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
