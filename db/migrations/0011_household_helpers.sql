CREATE TABLE `household_helpers` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`household_id` text NOT NULL,
	`slot` integer NOT NULL,
	`name` text NOT NULL,
	`relation` text NOT NULL,
	`code_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`ended_at` text,
	`ended_by` text,
	`last_sign_in_at` text,
	CONSTRAINT "household_helpers_slot_range" CHECK("household_helpers"."slot" BETWEEN 1 AND 3)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `household_helpers_code_uq` ON `household_helpers` (`code_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `household_helpers_slot_uq` ON `household_helpers` (`household_id`,`slot`) WHERE ended_at IS NULL;--> statement-breakpoint
CREATE INDEX `household_helpers_household_idx` ON `household_helpers` (`household_id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `helper_id` text;--> statement-breakpoint
CREATE INDEX `sessions_helper_idx` ON `sessions` (`helper_id`);