import { importCredentialReport, type ImportOutcome } from '../../src/import/credential-report.js';

export const HEADER_22 =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

export const ROOT_ROW_OLD =
  '<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';

/** A user row with the given cells changed (by column name) from a console user without MFA. */
export function userRow(name: string, changes: Readonly<Record<string, string>> = {}, account = '123456789012'): string {
  const cells: Record<string, string> = {
    user: name,
    arn: `arn:aws:iam::${account}:user/${name}`,
    user_creation_time: '2025-01-01T00:00:00+00:00',
    password_enabled: 'true',
    password_last_used: '2026-01-01T00:00:00+00:00',
    password_last_changed: '2025-01-01T00:00:00+00:00',
    password_next_rotation: 'N/A',
    mfa_active: 'false',
    access_key_1_active: 'false',
    access_key_1_last_rotated: 'N/A',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_region: 'N/A',
    access_key_2_last_used_service: 'N/A',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
    ...changes,
  };
  return HEADER_22.split(',')
    .map((column) => {
      const value = cells[column] ?? '';
      return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    })
    .join(',');
}

export function importText(text: string | Uint8Array, generatedAt?: string): ImportOutcome {
  return importCredentialReport(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, {
    displayPath: 'report.csv',
    fileName: 'report.csv',
    ...(generatedAt === undefined ? {} : { generatedAt: new Date(generatedAt) }),
  });
}
