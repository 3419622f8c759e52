/** Where `collect --source` reads users from; apart from collect.ts so the CLI's options load no AWS SDK. */
export const COLLECT_SOURCES = ['api', 'credential-report', 'both'] as const;
export type CollectSource = (typeof COLLECT_SOURCES)[number];
