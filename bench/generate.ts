/** Generates realistic credential reports of any size for benchmarks (deterministic). */
const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

export const BENCH_ACCOUNT = '210987654321';
export const BENCH_GENERATED_AT = '2026-06-01T12:00:00Z';

function stamp(dayOffset: number): string {
  return new Date(Date.UTC(2026, 5, 1) - dayOffset * 86_400_000).toISOString().replace('.000Z', 'Z');
}

export function generateCredentialReport(users: number): string {
  const lines = [HEADER, `<root_account>,arn:aws:iam::${BENCH_ACCOUNT}:root,${stamp(2000)},true,${stamp(3)},${stamp(400)},not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`];
  for (let index = 0; index < users; index += 1) {
    const name = `user-${index.toString().padStart(6, '0')}`;
    const console = index % 3 !== 0;
    const mfa = console && index % 4 !== 1;
    const key = index % 2 === 0;
    const password = console ? `true,${index % 7 === 0 ? 'no_information' : stamp(index % 120)},${stamp(200 + (index % 300))},N/A` : 'false,N/A,N/A,N/A';
    const key1 = key ? `true,${stamp(index % 400)},${index % 5 === 0 ? 'N/A,N/A,N/A' : `${stamp(index % 60)},us-east-1,s3`}` : 'false,N/A,N/A,N/A,N/A';
    lines.push(`${name},arn:aws:iam::${BENCH_ACCOUNT}:user/team-${index % 50}/${name},${stamp(500 + (index % 900))},${password},${mfa},${key1},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`);
  }
  return `${lines.join('\n')}\n`;
}
