/**
 * Use case `review` (issue 29): the periodic user access review auditors ask for (SOC 2 CC6.2/6.3,
 * ISO 27001 A.5.18, PCI DSS 7.2.4/8.2.6, NIST 800-53 AC-2(j)), from a frozen population to signed
 * evidence that revoked access was removed. Four steps, one module each:
 * start.ts (population.ts over snapshot/, assign.ts for reviewers and segregation of duties,
 * workbook.ts with exceljs, mail.ts over notify's SMTP path), collect.ts (returned workbooks into
 * decisions.json), close.ts (evidence-model.ts; PDF through render/pdf.ts, embedded and signed with
 * evidence/), follow-up.ts (`review verify` against a later snapshot). The files it reads and writes
 * are checked by config/review-files.ts; campaign-store.ts reads the campaign folder.
 */
export { runStart, type StartOptions, type StartOutcome } from './start.js';
export { runCollect, type CollectOptions, type CollectOutcome } from './collect.js';
export { CLOSE_FORMATS, parseCloseFormats, runClose, type CloseOptions, type CloseOutcome } from './close.js';
export { runVerifyFollowUp, type FollowUp, type VerifyFollowUpOptions } from './follow-up.js';
export { mailWorkbooks, type ReviewMailOptions } from './mail.js';
export { readReviewersFile } from './campaign-store.js';
