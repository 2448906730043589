CREATE TABLE `cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sweep_id` text NOT NULL,
	`run_id` text,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_sweep_id` ON `events` (`sweep_id`,`id`);--> statement-breakpoint
CREATE TABLE `fits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sweep_id` text NOT NULL,
	`document` text NOT NULL,
	`data` text NOT NULL,
	`run_count` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `fits_sweep` ON `fits` (`sweep_id`,`id`);--> statement-breakpoint
CREATE TABLE `metrics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
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
	`recorded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metrics_run_kind_step` ON `metrics` (`run_id`,`kind`,`step`);--> statement-breakpoint
CREATE TABLE `runs` (
	`sweep_id` text NOT NULL,
	`id` text NOT NULL,
	`family` text NOT NULL,
	`budget_flops` real NOT NULL,
	`achieved_flops` real NOT NULL,
	`params` real NOT NULL,
	`exact_params` real NOT NULL,
	`tokens` real NOT NULL,
	`steps` integer NOT NULL,
	`batch_size` integer NOT NULL,
	`d_model` integer NOT NULL,
	`n_layers` integer NOT NULL,
	`n_heads` integer NOT NULL,
	`seq_len` integer NOT NULL,
	`spec` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`worker` text,
	`error` text,
	`diverged_step` integer,
	`last_step` integer,
	`queued_at` integer,
	`started_at` integer,
	`finished_at` integer,
	`wall_seconds` real,
	`val_loss` real,
	`val_loss_std_err` real,
	`prime_objective` real,
	`prime_objective_std_err` real,
	`final_train_loss` real,
	`trained_steps` integer,
	`trained_tokens` real,
	`tokens_per_second` real,
	PRIMARY KEY(`sweep_id`, `id`),
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `runs_id` ON `runs` (`id`);--> statement-breakpoint
CREATE INDEX `runs_sweep_state` ON `runs` (`sweep_id`,`state`);--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`state` text NOT NULL,
	`spec_text` text NOT NULL,
	`spec_format` text NOT NULL,
	`spec` text NOT NULL,
	`run_count` integer NOT NULL,
	`dropped` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `sweeps_created_at` ON `sweeps` (`created_at`);