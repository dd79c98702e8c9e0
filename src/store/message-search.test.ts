import { describe, expect, it } from 'vitest';
import { patientMrnOf } from './message-search.ts';

const mrnOf = (text: string) => patientMrnOf(Buffer.from(text, 'latin1'));

describe('patientMrnOf', () => {
  it('reads the MR repetition of PID-3, else the first, after CR or LF, with the message’s own delimiters', () => {
    expect(mrnOf('MSH|^~\\&|LAB|RGH\rPID|1||99-1^^^RGH^PI~MRN1^^^RGH^MR||DOE\rOBX|1')).toBe('MRN1');
    expect(mrnOf('MSH|^~\\&|LAB|RGH\nPID|1||77^^^RGH^PI||DOE')).toBe('77');
    expect(mrnOf('MSH#$%\\&#LAB#RGH\rPID#1##55$$$RGH$PI%66$$$RGH$MR##DOE\r')).toBe('66');
  });

  it('finds no MRN where there is no PID segment of its own', () => {
    expect(mrnOf('MSH|^~\\&|LAB|RGH|XPID|1||12^^^RGH^MR\rOBX|1|PID|1||13')).toBeNull();
    expect(mrnOf('MSH|^~\\&|LAB|RGH\rPID|1||\r')).toBeNull();
    expect(mrnOf('PID|1||12^^^RGH^MR')).toBeNull();
  });

  it('reads a PID that is the last line, without a line end', () => {
    expect(mrnOf('MSH|^~\\&|LAB|RGH\rPID|1||ABC123')).toBe('ABC123');
  });
});
