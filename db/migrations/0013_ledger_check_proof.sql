CREATE TABLE `ledger_check_accounts` (
	`account_id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`total` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_check_accounts_community_idx` ON `ledger_check_accounts` (`community_id`);--> statement-breakpoint
CREATE TABLE `ledger_check_marks` (
	`community_id` text PRIMARY KEY NOT NULL,
	`posting_seq` integer NOT NULL,
	`transfer_rowid` integer NOT NULL,
	`totals_by_kind` text NOT NULL,
	`checked_at` text NOT NULL,
	`full_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_check_ranges` (
	`community_id` text NOT NULL,
	`kind` text NOT NULL,
	`bucket` integer NOT NULL,
	`rows` integer NOT NULL,
	`sum1` integer NOT NULL,
	`sum2` integer NOT NULL,
	`sum3` integer NOT NULL,
	`sum4` integer NOT NULL,
	`verified_round` integer NOT NULL,
	PRIMARY KEY(`community_id`, `kind`, `bucket`)
);
--> statement-breakpoint
CREATE INDEX `ledger_check_ranges_round_idx` ON `ledger_check_ranges` (`community_id`,`verified_round`);