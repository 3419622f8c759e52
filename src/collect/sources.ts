/** Where `collect --source` reads users from; apart from collect.ts so the CLI's options load no AWS SDK. */
export const COLLECT_SOURCES = ['api', 'credential-report', 'both'] as const;
export type CollectSource = (typeof COLLECT_SOURCES)[number];

/** As the AWS CLI's s3 transfers (max_concurrent_requests 10); the SDK's adaptive retry backs off if IAM throttles. Here, not in run.ts, so that the CLI's options load none of the collection. */
export const DEFAULT_CONCURRENCY = 10;
