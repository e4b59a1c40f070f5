/**
 * Generated from docs/openapi.json by `npm run openapi` (openapi-typescript); do not edit.
 */

export type paths = {
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign up
         * @description Under a published `required` mode the user gets an enrollment challenge instead of a session and must link an authenticator first.
         */
        post: operations["signUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in: the password step
         * @description An unknown email and a wrong password get the same answer in similar time. Every 10th consecutive wrong password locks (429, 1 minute, doubling with each lock up to 15). Wrong passwords sent with a valid `deviceToken` of the user count against that device alone; all others count against the email, whether or not an account has it, and never lock out a request presenting the owner's device. A remembered device of the user skips the second factor (assurance remembered_device).
         */
        post: operations["logIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/login/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in: the second factor
         * @description A challenge survives 5 wrong codes; every 10th consecutive wrong code locks the second factor (429, 1 minute, doubling with each lock up to 15), counted on the device the login presented, else on the account. A time step once accepted is never accepted again. The answer carries the device: the one the login presented (with a new token), else a new one.
         */
        post: operations["verifyLogin"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/enrollment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Link an authenticator app: a new secret
         * @description Calling again starts over with a new secret. Accepts a session or the challenge of TWO_FACTOR_ENROLLMENT_REQUIRED.
         */
        post: operations["startEnrollment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/enrollment/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm linking with a code
         * @description A pending enrollment survives 5 wrong codes. With an enrollment challenge, the answer carries the session and the challenge is spent.
         */
        post: operations["confirmEnrollment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/backup-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * New backup codes
         * @description A current code buys a new set; the old set dies. With `Accept: text/plain` the answer is the .txt file itself.
         */
        post: operations["regenerateBackupCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn 2FA off
         * @description Refused with two_factor_required while the published mode is `required`.
         */
        post: operations["disableTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out */
        post: operations["logOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/logout/all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out everywhere */
        post: operations["logOutEverywhere"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/step-up": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Prove the second factor again
         * @description For 10 minutes the session may then weaken an account or an app (an admin reset or unlock, a lower mode, longer remembering), which otherwise answers 403 step_up_required. The code is spent as at login and counted against the account.
         */
        post: operations["stepUp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My devices */
        get: operations["listDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/2fa/devices/{deviceId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Forget a device
         * @description Its token dies: it is an unknown client from then on and no longer skips the second factor.
         */
        delete: operations["forgetDevice"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/settings/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Two-factor settings */
        get: operations["getTwoFactorSettings"];
        /**
         * Change the draft settings
         * @description Changes the draft only; `POST /publish` puts it in force. Lowering the mode, raising rememberDeviceDays or requiredGraceDays, or dropping a role from requiredForRoles needs a second factor proven in the last 10 minutes (step_up_required). requiredGraceDays > 0 and requiredForRoles need the enterprise plan (plan_upgrade_required).
         */
        put: operations["updateTwoFactorSettings"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish the draft
         * @description Publishing a lower mode, a higher rememberDeviceDays or requiredGraceDays, or fewer requiredForRoles than the config in force needs a second factor proven in the last 10 minutes (step_up_required). A role newly required starts its users' grace period now.
         */
        post: operations["publishConfig"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The users table
         * @description `twoFactor=enrolled` lists the users with 2FA, `twoFactor=pending` those without it yet; a filtered page may hold fewer than `limit` users and still have a cursor.
         */
        get: operations["listUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/users.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The users table as CSV
         * @description Columns: id, email, role, createdAt, twoFactorStatus, twoFactorEnrolledAt, enrollBy (RFC 4180, CRLF; a cell starting with = + - @, a tab or CR gets a leading apostrophe). Up to `limit` (1,000) rows a part, each with the header; `X-Next-Cursor` names the next part.
         */
        get: operations["exportUsersCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/reports/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The 2FA enrollment report
         * @description Totals and per-role counts of users enrolled, pending (deadline ahead, grouped by deadline) and overdue, read from counters kept in the transactions that change them (docs/enforcement.md).
         */
        get: operations["getTwoFactorReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/users/{userId}/2fa/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset a user's 2FA
         * @description Removes the user's authenticator, backup codes and pending enrollment; their sessions and challenges die, no device stays remembered and their lockouts end. The user is emailed who reset it and the reason, unless reasonInternal (the audit log keeps it). Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).
         */
        post: operations["resetUserTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/users/{userId}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End a user's lockouts
         * @description Ends the user's password and second-factor lockouts (audited as user.unlocked). Never the admin's own account (forbidden); needs a second factor proven in the last 10 minutes (step_up_required).
         */
        post: operations["unlockUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/apps/{appId}/audit-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /** @description Email and password of an end user or admin. */
        Credentials: {
            /** Format: email */
            email: string;
            password: string;
        };
        /** @description Email and password, and the device token this browser keeps (from an earlier SIGNED_IN's `device`), if any. */
        Login: {
            /** Format: email */
            email: string;
            password: string;
            deviceToken?: string;
        };
        /** @description The challenge token of TWO_FACTOR_REQUIRED and exactly one of `code` (the 6 digits of the authenticator app) and `backupCode`; `rememberDevice` asks to skip the second factor on this device for the days the app allows. */
        VerifyLogin: {
            challengeToken: string;
            code?: string;
            backupCode?: string;
            rememberDevice?: boolean;
        };
        /** @description Exactly one of `code` (the 6 digits of the authenticator app) and `backupCode`. */
        StepUp: {
            code?: string;
            backupCode?: string;
        };
        /** @description A current 6-digit code from the authenticator app. */
        TotpCode: {
            code: string;
        };
        /** @description The draft mode; the plan decides which modes are allowed. */
        TwoFactorSettingsUpdate: {
            /** @enum {string} */
            mode: "off" | "optional" | "required";
            rememberDeviceDays?: number;
            requiredGraceDays?: number;
            requiredForRoles?: ("admin" | "member")[];
        };
        /** @description Why the admin resets the user: kept in the audit log and told to the user in the security email, unless reasonInternal. */
        ResetTwoFactor: {
            reason?: string;
            reasonInternal?: boolean;
        };
        /** @description The signed-in user. */
        User: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "admin" | "member";
        };
        /** @description A session and its assurance level. */
        Session: {
            /** @description Opaque bearer token (256 random bits); send it as `Authorization: Bearer <token>`. */
            token: string;
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            expiresAt: string;
            /** @enum {string} */
            assurance: "password" | "two_factor" | "remembered_device";
        };
        /** @description The browser the session was issued to: the one the request presented when it was valid for this user, else a new one. */
        Device: {
            id: string;
            /** @description Keep it in this browser and send it as `deviceToken` with every login (256 random bits; stored only as a hash). */
            token: string;
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            expiresAt: string;
            /** @description Until when this device skips the second factor; null when it is not remembered. */
            rememberedUntil: string | null;
        };
        /** @description The same session, with a second factor proven just now. */
        SteppedUp: {
            session: {
                /** @description Opaque bearer token (256 random bits); send it as `Authorization: Bearer <token>`. */
                token: string;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                expiresAt: string;
                /** @enum {string} */
                assurance: "password" | "two_factor" | "remembered_device";
                /**
                 * Format: date-time
                 * @description Until when this session may weaken an account or an app (10 minutes).
                 */
                stepUpExpiresAt: string;
            };
        };
        /** @description The user's devices, most recently used first. */
        Devices: {
            devices: {
                id: string;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                createdAt: string;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                lastUsedAt: string;
                rememberedUntil: string | null;
                /** @description The device this session was issued to. */
                current: boolean;
            }[];
        };
        /** @description SIGNED_IN after the password step, with what the portal should offer next. */
        SignedInWithOffer: {
            /** @constant */
            status: "SIGNED_IN";
            session: components["schemas"]["Session"];
            user: components["schemas"]["User"];
            device: components["schemas"]["Device"];
            /** @description What the portal should offer next: `available` once the published mode is not off, `suggested` for a user without 2FA under optional or in a grace period, `enrollBy` the grace deadline. */
            twoFactor: {
                available: boolean;
                suggested: boolean;
                /** @description While a grace period runs for a user without 2FA it is required for: the deadline to enroll by (a UTC midnight); else null. */
                enrollBy: string | null;
            };
        };
        /** @description The password was right; a second factor (TWO_FACTOR_REQUIRED) or an enrollment (TWO_FACTOR_ENROLLMENT_REQUIRED) is due first. */
        ChallengeIssued: {
            /** @enum {string} */
            status: "TWO_FACTOR_REQUIRED" | "TWO_FACTOR_ENROLLMENT_REQUIRED";
            challenge: {
                /** @description Good for 5 minutes: for `POST /login/verify` (TWO_FACTOR_REQUIRED) or the two enrollment calls (TWO_FACTOR_ENROLLMENT_REQUIRED). */
                token: string;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                expiresAt: string;
                /** @description With TWO_FACTOR_REQUIRED: for how many days `rememberDevice` lets this browser skip the second factor (0: the app does not allow it). */
                rememberDeviceDays?: number;
            };
        };
        /** @description The outcome of sign-up or the password step of a login. */
        PasswordStepResult: components["schemas"]["SignedInWithOffer"] | components["schemas"]["ChallengeIssued"];
        /** @description SIGNED_IN after a second factor. */
        SignedInWithSecondFactor: {
            /** @constant */
            status: "SIGNED_IN";
            session: components["schemas"]["Session"];
            user: components["schemas"]["User"];
            device: components["schemas"]["Device"];
            /** @description Present when a backup code was used: how many unused codes are left. */
            backupCodesRemaining?: number;
        };
        /** @description A new pending secret as a QR code and a manual key; confirm it with a code. */
        EnrollmentStarted: {
            /** @description otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30 */
            otpauthUri: string;
            /** @description The base32 secret in groups of four separated by spaces. */
            manualEntryKey: string;
            qrCode: {
                svg: string;
                /** @description data:image/png;base64,… */
                pngDataUrl: string;
            };
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            expiresAt: string;
        };
        /** @description 2FA is on: the backup codes are shown this once. */
        EnrollmentConfirmed: {
            /** @constant */
            status: "ENABLED";
            /** @description 10 single-use codes; shown once. */
            backupCodes: string[];
            backupCodesFile: {
                filename: string;
                /** @constant */
                contentType: "text/plain";
                content: string;
            };
            /** @description Present when the call was authorized by an enrollment challenge. */
            session?: components["schemas"]["Session"];
            /** @description With `session`: the device it was issued to. */
            device?: components["schemas"]["Device"];
        };
        /** @description A new set of backup codes; the old set no longer works. */
        BackupCodes: {
            /** @description 10 single-use codes; shown once. */
            backupCodes: string[];
            backupCodesFile: {
                filename: string;
                /** @constant */
                contentType: "text/plain";
                content: string;
            };
        };
        /** @description 2FA is off for this user. */
        TwoFactorDisabled: {
            /** @constant */
            status: "DISABLED";
        };
        /** @description The signed-in user, their 2FA state and the app. */
        Me: {
            user: components["schemas"]["User"];
            twoFactor: {
                enabled: boolean;
                enabledAt: string | null;
                /** @description null while 2FA is off. */
                backupCodesRemaining: number | null;
                /** @description Whether the published config requires 2FA of this user (the app's mode, or the user's role). */
                required: boolean;
                /** @description While a grace period runs for a user without 2FA it is required for: the deadline to enroll by (a UTC midnight); else null. */
                enrollBy: string | null;
            };
            app: {
                id: string;
                name: string;
                /** @enum {string} */
                twoFactorMode: "off" | "optional" | "required";
            };
        };
        /** @description The app's draft and published 2FA settings. */
        TwoFactorSettings: {
            /** @enum {string} */
            plan: "free" | "pro" | "business" | "enterprise";
            /** @description The modes the plan may set, weakest first. */
            allowedModes: ("off" | "optional" | "required")[];
            /** @description Whether the plan may set requiredGraceDays and requiredForRoles (enterprise). */
            enforcementOptions: boolean;
            draft: {
                /** @enum {string} */
                mode: "off" | "optional" | "required";
                /** @description How long a device may skip the second factor once the user trusts it (0: never). */
                rememberDeviceDays: number;
                /** @description Days a user without 2FA keeps signing in once it is required for them (0: enroll at the next login). */
                requiredGraceDays: number;
                /** @description Under optional, the roles 2FA is required for all the same. */
                requiredForRoles: ("admin" | "member")[];
            };
            published: {
                /** @enum {string} */
                mode: "off" | "optional" | "required";
                /** @description How long a device may skip the second factor once the user trusts it (0: never). */
                rememberDeviceDays: number;
                /** @description Days a user without 2FA keeps signing in once it is required for them (0: enroll at the next login). */
                requiredGraceDays: number;
                /** @description Under optional, the roles 2FA is required for all the same. */
                requiredForRoles: ("admin" | "member")[];
                /** @description Per role 2FA is required for: since when, without a break (deadlines count from it). */
                requiredSince: {
                    /**
                     * Format: date-time
                     * @description ISO 8601 timestamp
                     */
                    admin?: string;
                    /**
                     * Format: date-time
                     * @description ISO 8601 timestamp
                     */
                    member?: string;
                };
                version: number;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                publishedAt: string;
            } | null;
            unpublishedChanges: boolean;
        };
        /** @description The config version now in force. */
        Published: {
            version: number;
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            publishedAt: string;
            config: {
                twoFactor: {
                    /** @enum {string} */
                    mode: "off" | "optional" | "required";
                    /** @description How long a device may skip the second factor once the user trusts it (0: never). */
                    rememberDeviceDays: number;
                    /** @description Days a user without 2FA keeps signing in once it is required for them (0: enroll at the next login). */
                    requiredGraceDays: number;
                    /** @description Under optional, the roles 2FA is required for all the same. */
                    requiredForRoles: ("admin" | "member")[];
                };
            };
        };
        /** @description A user as the admin reset and unlock answer it. */
        UserSummary: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "admin" | "member";
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            createdAt: string;
            twoFactorSetupComplete: boolean;
        };
        /** @description A row of the admin users table, with where the user stands with 2FA. */
        UserRow: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "admin" | "member";
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            createdAt: string;
            twoFactorSetupComplete: boolean;
            /**
             * @description enrolled; without 2FA and required: pending (deadline ahead) or overdue; without 2FA and not required: not_required.
             * @enum {string}
             */
            twoFactorStatus: "enrolled" | "pending" | "overdue" | "not_required";
            twoFactorEnrolledAt: string | null;
            /** @description The deadline (passed or not) of a user without 2FA it is required for with a grace period. */
            enrollBy: string | null;
        };
        /** @description A page of the admin users table. */
        UsersPage: {
            users: components["schemas"]["UserRow"][];
            /** @description Pass as `cursor` for the next page; null on the last page. */
            nextCursor: string | null;
            /** @description Show the "2FA setup Complete" column: true once the published mode is not off. */
            twoFactorColumn: boolean;
        };
        /** @description Who has 2FA, and who is pending or overdue, in total and per role. */
        EnrollmentReport: {
            /**
             * Format: date-time
             * @description ISO 8601 timestamp
             */
            asOf: string;
            /** @enum {string} */
            mode: "off" | "optional" | "required";
            /** @description Days a user without 2FA keeps signing in once it is required for them (0: enroll at the next login). */
            requiredGraceDays: number;
            totals: {
                users: number;
                enrolled: number;
                notEnrolled: number;
                /** @description Without 2FA, required, deadline ahead. */
                pending: number;
                /** @description Without 2FA, required, deadline passed or no grace: must enroll at the next login. */
                overdue: number;
            };
            roles: {
                /** @enum {string} */
                role: "admin" | "member";
                required: boolean;
                requiredSince: string | null;
                users: number;
                enrolled: number;
                notEnrolled: number;
                /** @description Without 2FA, required, deadline ahead. */
                pending: number;
                /** @description Without 2FA, required, deadline passed or no grace: must enroll at the next login. */
                overdue: number;
                /** @description The pending users by deadline, soonest first. */
                pendingByDeadline: {
                    /**
                     * Format: date-time
                     * @description ISO 8601 timestamp
                     */
                    enrollBy: string;
                    users: number;
                }[];
            }[];
        };
        /** @description The user after the reset. */
        UserReset: {
            user: components["schemas"]["UserSummary"];
        };
        /** @description A page of the audit log, newest first. */
        AuditEventsPage: {
            events: {
                id: string;
                /**
                 * Format: date-time
                 * @description ISO 8601 timestamp
                 */
                at: string;
                /** @enum {string} */
                type: "app.created" | "allowed_origins.changed" | "plan.changed" | "settings.updated" | "config.published" | "two_factor.enrolled" | "two_factor.disabled" | "two_factor.reset" | "backup_code.used" | "backup_codes.regenerated" | "two_factor.locked_out" | "password.locked_out" | "user.unlocked" | "device.remembered" | "device.forgotten" | "sessions.revoked" | "two_factor.enforcement_deadline_approaching";
                actorId: string;
                targetUserId: string | null;
                detail?: {
                    [key: string]: string | number | boolean;
                };
            }[];
            /** @description Pass as `cursor` for the next page; null on the last page. */
            nextCursor: string | null;
        };
        /** @description The service is up. */
        Health: {
            /** @constant */
            status: "ok";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service is up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document of the HTTP API. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
        };
    };
    signUp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Credentials"];
            };
        };
        responses: {
            /** @description SIGNED_IN, or TWO_FACTOR_ENROLLMENT_REQUIRED under a required mode. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordStepResult"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not found. Codes: not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_found";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: email_taken. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "email_taken";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    logIn: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Login"];
            };
        };
        responses: {
            /** @description SIGNED_IN, TWO_FACTOR_REQUIRED or TWO_FACTOR_ENROLLMENT_REQUIRED. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PasswordStepResult"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: invalid_credentials. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_credentials";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not found. Codes: not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_found";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Too many attempts; wait `retryAfterSeconds`. Codes: too_many_attempts. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    verifyLogin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerifyLogin"];
            };
        };
        responses: {
            /** @description SIGNED_IN with assurance two_factor (and backupCodesRemaining when a backup code was used). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignedInWithSecondFactor"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: challenge_invalid, invalid_code. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "challenge_invalid" | "invalid_code";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With invalid_code: wrong codes left before the lockout. */
                            attemptsRemaining?: number;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Too many attempts; wait `retryAfterSeconds`. Codes: too_many_attempts. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    startEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The secret as a QR code and a manual key. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentStarted"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: two_factor_not_available. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "two_factor_not_available";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: already_enabled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "already_enabled";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    confirmEnrollment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TotpCode"];
            };
        };
        responses: {
            /** @description 2FA is on; the backup codes and their .txt file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentConfirmed"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: challenge_invalid, invalid_code, unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "challenge_invalid" | "invalid_code" | "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With invalid_code: wrong codes left before the lockout. */
                            attemptsRemaining?: number;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: two_factor_not_available. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "two_factor_not_available";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: already_enabled, not_enrolled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "already_enabled" | "not_enrolled";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    regenerateBackupCodes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TotpCode"];
            };
        };
        responses: {
            /** @description The new codes. */
            200: {
                headers: {
                    /** @description With text/plain: `attachment; filename="…"`. */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupCodes"];
                    "text/plain": string;
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: invalid_code, unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_code" | "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With invalid_code: wrong codes left before the lockout. */
                            attemptsRemaining?: number;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: not_enrolled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_enrolled";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Too many attempts; wait `retryAfterSeconds`. Codes: too_many_attempts. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    disableTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TotpCode"];
            };
        };
        responses: {
            /** @description 2FA is off; the authenticator and the backup codes are gone. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TwoFactorDisabled"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: invalid_code, unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_code" | "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With invalid_code: wrong codes left before the lockout. */
                            attemptsRemaining?: number;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: not_enrolled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_enrolled";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Too many attempts; wait `retryAfterSeconds`. Codes: too_many_attempts. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user, their 2FA state and the app. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    logOut: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The session is gone. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    logOutEverywhere: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Every session of the user ended and every device is forgotten. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    stepUp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StepUp"];
            };
        };
        responses: {
            /** @description The same session token, with assurance two_factor and stepUpExpiresAt. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SteppedUp"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: invalid_code, unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "invalid_code" | "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With invalid_code: wrong codes left before the lockout. */
                            attemptsRemaining?: number;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Conflicts with the current state. Codes: not_enrolled. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_enrolled";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Too many attempts; wait `retryAfterSeconds`. Codes: too_many_attempts. */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "too_many_attempts";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    listDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user's devices. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Devices"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    forgetDevice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
                deviceId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The device is forgotten. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not found. Codes: not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_found";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    getTwoFactorSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Draft and published settings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TwoFactorSettings"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    updateTwoFactorSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TwoFactorSettingsUpdate"];
            };
        };
        responses: {
            /** @description Draft and published settings. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TwoFactorSettings"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, plan_upgrade_required, step_up_required, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "plan_upgrade_required" | "step_up_required" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    publishConfig: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The new version, now in force. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Published"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, plan_upgrade_required, step_up_required, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "plan_upgrade_required" | "step_up_required" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                twoFactor?: "enrolled" | "pending";
            };
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsersPage"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    exportUsersCsv: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                twoFactor?: "enrolled" | "pending";
            };
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A part of the users table. */
            200: {
                headers: {
                    /** @description `attachment; filename="users-<appId>.csv"`. */
                    "Content-Disposition"?: string;
                    /** @description Present when more rows follow: pass it as `cursor` for the next part. */
                    "X-Next-Cursor"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    getTwoFactorReport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report as of now. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EnrollmentReport"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    resetUserTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ResetTwoFactor"];
            };
        };
        responses: {
            /** @description The user, with twoFactorSetupComplete false. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserReset"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, step_up_required, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "step_up_required" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not found. Codes: not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_found";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    unlockUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The user. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserReset"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, step_up_required, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "step_up_required" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not found. Codes: not_found. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "not_found";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit events. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventsPage"];
                };
            };
            /** @description The request is not valid (`issues` names each field). Codes: validation_error. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "validation_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            issues?: {
                                /** @description e.g. body.email, path.appId, query.limit */
                                path: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
            /** @description Not authenticated, or a wrong code or credentials. Codes: unauthorized. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "unauthorized";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description Not allowed (role, plan or the app’s 2FA mode). Codes: forbidden, two_factor_required. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "forbidden" | "two_factor_required";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description The body is larger than 16 KiB. Codes: payload_too_large. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "payload_too_large";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A bug on the service’s side; never carries a cause. Codes: internal_error. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "internal_error";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                        };
                    };
                };
            };
            /** @description A dependency failed; retry after `retryAfterSeconds`. Codes: service_unavailable. */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again. */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        error: {
                            /** @enum {string} */
                            code: "service_unavailable";
                            /** @description A sentence for people; never a stack trace or a secret. */
                            message: string;
                            /** @description With too_many_attempts and service_unavailable; also sent as Retry-After. */
                            retryAfterSeconds?: number;
                        };
                    };
                };
            };
        };
    };
}
