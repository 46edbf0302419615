CREATE TABLE `card_code_uses` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`redemption_id` text NOT NULL,
	`used_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `card_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`card_id` text NOT NULL,
	`household_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `card_codes_household_idx` ON `card_codes` (`household_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `sign_in_failures` (
	`address` text NOT NULL,
	`window_start` text NOT NULL,
	`failures` integer NOT NULL,
	PRIMARY KEY(`address`, `window_start`)
);
--> statement-breakpoint
CREATE TRIGGER card_code_uses_no_update BEFORE UPDATE ON card_code_uses BEGIN SELECT RAISE(ABORT, 'append-only: card_code_uses'); END;
--> statement-breakpoint
CREATE TRIGGER card_code_uses_no_delete BEFORE DELETE ON card_code_uses BEGIN SELECT RAISE(ABORT, 'append-only: card_code_uses'); END;
