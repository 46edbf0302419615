DROP INDEX `postings_account_idx`;--> statement-breakpoint
CREATE INDEX `postings_account_idx` ON `postings` (`account_id`,`seq`,`amount`);