PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_metrics` (
	`run_id` text NOT NULL,
	`kind` text NOT NULL,
	`step` integer NOT NULL,
	`tokens` real NOT NULL,
	`loss` real,
	`lr` real,
	`tokens_per_second` real,
	`grad_norm` real,
	`val_loss` real,
	`val_loss_std_err` real,
	`prime_objective` real,
	`prime_objective_std_err` real,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`run_id`, `kind`, `step`)
);
--> statement-breakpoint
INSERT INTO `__new_metrics`("run_id", "kind", "step", "tokens", "loss", "lr", "tokens_per_second", "grad_norm", "val_loss", "val_loss_std_err", "prime_objective", "prime_objective_std_err", "recorded_at") SELECT "run_id", "kind", "step", "tokens", "loss", "lr", "tokens_per_second", "grad_norm", "val_loss", "val_loss_std_err", "prime_objective", "prime_objective_std_err", "recorded_at" FROM `metrics`;--> statement-breakpoint
DROP TABLE `metrics`;--> statement-breakpoint
ALTER TABLE `__new_metrics` RENAME TO `metrics`;--> statement-breakpoint
PRAGMA foreign_keys=ON;