/**
 * Where a file export's files go, from the connector's `target` and credentials:
 *   target: sftp://exports@sftp.hospital.example:22/inbound/epic   (options.hostKey pins the server's key)
 *   target: /srv/switchboard/exports                                 (a folder)
 * The password or private key comes from the environment (`credentials: { password: ${EPIC_SFTP_PASSWORD} }`
 * or `privateKey`).
 */
import type { ConnectorSettings } from '../connector.ts';
import type { FileTarget } from '../files/file-target.ts';
import { FolderTarget } from '../files/folder.ts';
import { pinnedFingerprint } from '../files/host-key.ts';
import { SftpTarget } from '../files/sftp.ts';

export interface SharedFileOptions {
  hostKey?: string;
}

/** The problem with a connector's target, in words, or undefined. */
export function fileTargetProblem(target: string, hostKey: string | undefined): string | undefined {
  if (target.startsWith('sftp://')) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return 'target: not a URL (sftp://user@host:port/folder)';
    }
    if (!url.username) return 'target: name the login, sftp://user@host/folder';
    if (!hostKey || !pinnedFingerprint(hostKey)) {
      return 'options.hostKey: the server key SHA256 fingerprint is required (ssh-keygen -lf on the key, or ssh-keyscan host | ssh-keygen -lf -)';
    }
    return undefined;
  }
  if (!target.startsWith('/')) return 'target: an sftp:// URL or an absolute folder path';
  return undefined;
}

export function fileTargetOf(settings: ConnectorSettings<SharedFileOptions>): FileTarget {
  const { target } = settings;
  if (!target.startsWith('sftp://')) return new FolderTarget(target);
  const url = new URL(target);
  return new SftpTarget({
    host: url.hostname,
    port: url.port ? Number(url.port) : 22,
    username: decodeURIComponent(url.username),
    password: settings.credentials.password,
    privateKey: settings.credentials.privateKey,
    passphrase: settings.credentials.passphrase,
    hostKey: settings.options.hostKey ?? '',
    folder: decodeURIComponent(url.pathname) || '.',
  });
}
