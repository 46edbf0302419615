DROP INDEX `transfers_community_idx`;--> statement-breakpoint
CREATE INDEX `transfers_pair_idx` ON `transfers` (`community_id`,`id`);--> statement-breakpoint
CREATE INDEX `transfers_community_idx` ON `transfers` (`community_id`,`kind`,`created_at`,`amount`);--> statement-breakpoint
CREATE INDEX `postings_transfer_pair_idx` ON `postings` (`community_id`,`transfer_id`,`amount`);--> statement-breakpoint
-- The range checksums are now weighted by a row's place in its range (api/domain/ledger-check.ts):
-- proofs kept under the old weights would not match, so each community's next check runs the
-- full pass and builds its proof afresh.
DELETE FROM `ledger_check_ranges`;--> statement-breakpoint
DELETE FROM `ledger_check_accounts`;--> statement-breakpoint
DELETE FROM `ledger_check_marks`;
