CREATE TABLE `ml_repo_grants` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`repo_id` integer NOT NULL,
	`subject_kind` text NOT NULL,
	`user_id` integer,
	`team_id` integer,
	`workspace_id` integer,
	`role` text NOT NULL,
	`expires_at` integer,
	`granted_by_user_id` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`repo_id`) REFERENCES `ml_repos`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`granted_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "ml_repo_grants_one_subject" CHECK(("ml_repo_grants"."subject_kind" = 'user' and "ml_repo_grants"."user_id" is not null and "ml_repo_grants"."team_id" is null and "ml_repo_grants"."workspace_id" is null)
       or ("ml_repo_grants"."subject_kind" = 'team' and "ml_repo_grants"."team_id" is not null and "ml_repo_grants"."user_id" is null and "ml_repo_grants"."workspace_id" is null)
       or ("ml_repo_grants"."subject_kind" = 'workspace' and "ml_repo_grants"."workspace_id" is not null and "ml_repo_grants"."user_id" is null and "ml_repo_grants"."team_id" is null and "ml_repo_grants"."role" <> 'admin'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ml_repo_grants_user_unique` ON `ml_repo_grants` (`repo_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `ml_repo_grants_team_unique` ON `ml_repo_grants` (`repo_id`,`team_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `ml_repo_grants_workspace_unique` ON `ml_repo_grants` (`repo_id`,`workspace_id`);--> statement-breakpoint
CREATE INDEX `ml_repo_grants_user_idx` ON `ml_repo_grants` (`user_id`);--> statement-breakpoint
CREATE INDEX `ml_repo_grants_team_idx` ON `ml_repo_grants` (`team_id`);--> statement-breakpoint
CREATE INDEX `ml_repo_grants_workspace_idx` ON `ml_repo_grants` (`workspace_id`);--> statement-breakpoint
CREATE TABLE `ml_repos` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`storage_integration_id` integer NOT NULL,
	`created_by_user_id` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	FOREIGN KEY (`storage_integration_id`) REFERENCES `storage_integrations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ml_repos_name_unique` ON `ml_repos` (`name`);--> statement-breakpoint
CREATE INDEX `ml_repos_storage_idx` ON `ml_repos` (`storage_integration_id`);--> statement-breakpoint
CREATE TABLE `storage_integrations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`root_uri` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`credentials_sealed` text NOT NULL,
	`credentials_hint` text NOT NULL,
	`last_test` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `storage_integrations_name_unique` ON `storage_integrations` (`name`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `team_members_user_idx` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_unique` ON `teams` (`name`);--> statement-breakpoint
CREATE TABLE `workspace_team_roles` (
	`workspace_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`role` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`workspace_id`, `team_id`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workspace_team_roles_team_idx` ON `workspace_team_roles` (`team_id`);