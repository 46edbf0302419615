CREATE TABLE `stock_receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`goods_id` text NOT NULL,
	`shop_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`supplier` text,
	`unit_cost_fen` integer,
	`note` text,
	`received_on` text NOT NULL,
	`idempotency_key` text,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	CONSTRAINT "stock_receipts_quantity_positive" CHECK("stock_receipts"."quantity" > 0),
	CONSTRAINT "stock_receipts_cost_nonneg" CHECK("stock_receipts"."unit_cost_fen" IS NULL OR "stock_receipts"."unit_cost_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX `stock_receipts_goods_idx` ON `stock_receipts` (`goods_id`,`received_on`);--> statement-breakpoint
CREATE INDEX `stock_receipts_community_idx` ON `stock_receipts` (`community_id`,`received_on`);--> statement-breakpoint
CREATE UNIQUE INDEX `stock_receipts_key_uq` ON `stock_receipts` (`community_id`,`idempotency_key`);--> statement-breakpoint
ALTER TABLE `communities` ADD `supervision_phone` text;--> statement-breakpoint
-- Hand-added: a stock-in record is history, like stock_movements (0001): corrected by a new stock
-- change, never edited or deleted.
CREATE TRIGGER stock_receipts_no_update BEFORE UPDATE ON stock_receipts BEGIN SELECT RAISE(ABORT, 'append-only: stock_receipts'); END;
--> statement-breakpoint
CREATE TRIGGER stock_receipts_no_delete BEFORE DELETE ON stock_receipts BEGIN SELECT RAISE(ABORT, 'append-only: stock_receipts'); END;
