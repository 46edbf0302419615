CREATE TABLE `sign_in_attempts` (
	`subject` text PRIMARY KEY NOT NULL,
	`community_id` text,
	`attempts` integer NOT NULL,
	`locked_until` text,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
DROP TABLE `sign_in_failures`;--> statement-breakpoint
ALTER TABLE `card_codes` ADD `session_id` text;--> statement-breakpoint
CREATE INDEX `card_codes_session_idx` ON `card_codes` (`session_id`);--> statement-breakpoint
ALTER TABLE `cards` DROP COLUMN `failed_pins`;--> statement-breakpoint
ALTER TABLE `cards` DROP COLUMN `locked_until`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `failed_logins`;--> statement-breakpoint
ALTER TABLE `users` DROP COLUMN `locked_until`;