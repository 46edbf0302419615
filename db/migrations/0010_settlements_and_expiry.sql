CREATE TABLE `settlement_entries` (
	`settlement_id` text NOT NULL,
	`community_id` text NOT NULL,
	`redemption_id` text NOT NULL,
	`entry` text NOT NULL,
	`points` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `settlement_entries_once_uq` ON `settlement_entries` (`redemption_id`,`entry`);--> statement-breakpoint
CREATE INDEX `settlement_entries_settlement_idx` ON `settlement_entries` (`settlement_id`);--> statement-breakpoint
CREATE TABLE `settlements` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`from_at` text,
	`to_at` text NOT NULL,
	`status` text NOT NULL,
	`redemptions` integer NOT NULL,
	`points` integer NOT NULL,
	`point_value_fen` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`reference` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`confirmed_by` text,
	`confirmed_at` text,
	`paid_by` text,
	`paid_at` text,
	CONSTRAINT "settlements_period" CHECK("settlements"."from_at" IS NULL OR "settlements"."to_at" >= "settlements"."from_at")
);
--> statement-breakpoint
CREATE INDEX `settlements_shop_idx` ON `settlements` (`community_id`,`shop_id`,`to_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `settlements_one_draft_uq` ON `settlements` (`shop_id`) WHERE status = 'draft';--> statement-breakpoint
ALTER TABLE `communities` ADD `expiry_months` integer;--> statement-breakpoint
ALTER TABLE `shops` ADD `point_value_fen` integer DEFAULT 100 NOT NULL;--> statement-breakpoint
-- Hand-written: a statement's entries never change, and only a draft (no money moved yet) may be
-- discarded; a confirmed or paid statement and its entries stay for good.
CREATE TRIGGER settlement_entries_no_update BEFORE UPDATE ON settlement_entries BEGIN SELECT RAISE(ABORT, 'append-only: settlement_entries'); END;
--> statement-breakpoint
CREATE TRIGGER settlement_entries_no_delete BEFORE DELETE ON settlement_entries
WHEN (SELECT status FROM settlements WHERE id = OLD.settlement_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'append-only: settlement_entries'); END;
--> statement-breakpoint
CREATE TRIGGER settlements_no_delete BEFORE DELETE ON settlements WHEN OLD.status <> 'draft' BEGIN SELECT RAISE(ABORT, 'append-only: settlements'); END;
