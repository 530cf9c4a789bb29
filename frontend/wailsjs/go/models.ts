export namespace app {
	
	export class ExportResult {
	    path: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new ExportResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.count = source["count"];
	    }
	}
	export class RestoreResult {
	    path: string;
	    changed: boolean;
	    backup?: string;
	
	    static createFrom(source: any = {}) {
	        return new RestoreResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.changed = source["changed"];
	        this.backup = source["backup"];
	    }
	}
	export class SignOutResult {
	    revoked: boolean;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new SignOutResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.revoked = source["revoked"];
	        this.note = source["note"];
	    }
	}
	export class Target {
	    client: string;
	    path?: string;
	    servers: string[];
	
	    static createFrom(source: any = {}) {
	        return new Target(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client = source["client"];
	        this.path = source["path"];
	        this.servers = source["servers"];
	    }
	}
	export class TimeoutSettings {
	    default_seconds: number;
	    per_server: Record<string, number>;
	    builtin_seconds: number;
	    min_seconds: number;
	    max_seconds: number;
	
	    static createFrom(source: any = {}) {
	        return new TimeoutSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.default_seconds = source["default_seconds"];
	        this.per_server = source["per_server"];
	        this.builtin_seconds = source["builtin_seconds"];
	        this.min_seconds = source["min_seconds"];
	        this.max_seconds = source["max_seconds"];
	    }
	}

}

export namespace broker {
	
	export class Decision {
	    action: string;
	    scope: string;
	    note?: string;
	
	    static createFrom(source: any = {}) {
	        return new Decision(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.action = source["action"];
	        this.scope = source["scope"];
	        this.note = source["note"];
	    }
	}
	export class Pending {
	    id: string;
	    session_id: string;
	    client: string;
	    server: string;
	    tool: string;
	    arguments: number[];
	    arguments_size: number;
	    description?: string;
	    flags?: string[];
	    // Go type: time
	    requested_at: any;
	    // Go type: time
	    deadline: any;
	
	    static createFrom(source: any = {}) {
	        return new Pending(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.session_id = source["session_id"];
	        this.client = source["client"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.arguments = source["arguments"];
	        this.arguments_size = source["arguments_size"];
	        this.description = source["description"];
	        this.flags = source["flags"];
	        this.requested_at = this.convertValues(source["requested_at"], null);
	        this.deadline = this.convertValues(source["deadline"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace clients {
	
	export class NotFound {
	    client: string;
	    server: string;
	
	    static createFrom(source: any = {}) {
	        return new NotFound(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client = source["client"];
	        this.server = source["server"];
	    }
	}
	export class MigratedKey {
	    key: string;
	    secret: string;
	
	    static createFrom(source: any = {}) {
	        return new MigratedKey(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.secret = source["secret"];
	    }
	}
	export class ServerChange {
	    server: string;
	    locator?: string;
	    scope?: string;
	    action: string;
	    transport?: string;
	    reason?: string;
	    status: string;
	    from_record?: boolean;
	    migrated?: MigratedKey[];
	
	    static createFrom(source: any = {}) {
	        return new ServerChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.locator = source["locator"];
	        this.scope = source["scope"];
	        this.action = source["action"];
	        this.transport = source["transport"];
	        this.reason = source["reason"];
	        this.status = source["status"];
	        this.from_record = source["from_record"];
	        this.migrated = this.convertValues(source["migrated"], MigratedKey);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FileChange {
	    client: string;
	    path: string;
	    real_path?: string;
	    symlink: boolean;
	    changed: boolean;
	    backup?: string;
	    diff?: string;
	    error?: string;
	    servers: ServerChange[];
	
	    static createFrom(source: any = {}) {
	        return new FileChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client = source["client"];
	        this.path = source["path"];
	        this.real_path = source["real_path"];
	        this.symlink = source["symlink"];
	        this.changed = source["changed"];
	        this.backup = source["backup"];
	        this.diff = source["diff"];
	        this.error = source["error"];
	        this.servers = this.convertValues(source["servers"], ServerChange);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ApplyResult {
	    dry_run: boolean;
	    files: FileChange[];
	    not_found: NotFound[];
	
	    static createFrom(source: any = {}) {
	        return new ApplyResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dry_run = source["dry_run"];
	        this.files = this.convertValues(source["files"], FileChange);
	        this.not_found = this.convertValues(source["not_found"], NotFound);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Backup {
	    client_id: string;
	    path: string;
	    file: string;
	    // Go type: time
	    time: any;
	    sha256: string;
	    size: number;
	
	    static createFrom(source: any = {}) {
	        return new Backup(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client_id = source["client_id"];
	        this.path = source["path"];
	        this.file = source["file"];
	        this.time = this.convertValues(source["time"], null);
	        this.sha256 = source["sha256"];
	        this.size = source["size"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ServerView {
	    name: string;
	    locator: string;
	    scope?: string;
	    transport: string;
	    command?: string;
	    args: string[];
	    url?: string;
	    wrapped: boolean;
	    inner?: string[];
	    wrappable: boolean;
	    reason?: string;
	    secret_fields: string[];
	
	    static createFrom(source: any = {}) {
	        return new ServerView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.locator = source["locator"];
	        this.scope = source["scope"];
	        this.transport = source["transport"];
	        this.command = source["command"];
	        this.args = source["args"];
	        this.url = source["url"];
	        this.wrapped = source["wrapped"];
	        this.inner = source["inner"];
	        this.wrappable = source["wrappable"];
	        this.reason = source["reason"];
	        this.secret_fields = source["secret_fields"];
	    }
	}
	export class ConfigView {
	    path: string;
	    real_path?: string;
	    scope: string;
	    project?: string;
	    format: string;
	    read_only: boolean;
	    error?: string;
	    servers: ServerView[];
	
	    static createFrom(source: any = {}) {
	        return new ConfigView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.real_path = source["real_path"];
	        this.scope = source["scope"];
	        this.project = source["project"];
	        this.format = source["format"];
	        this.read_only = source["read_only"];
	        this.error = source["error"];
	        this.servers = this.convertValues(source["servers"], ServerView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ClientView {
	    id: string;
	    name: string;
	    launches_stdio: boolean;
	    configs: ConfigView[];
	
	    static createFrom(source: any = {}) {
	        return new ClientView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.launches_stdio = source["launches_stdio"];
	        this.configs = this.convertValues(source["configs"], ConfigView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	
	

}

export namespace core {
	
	export class SessionInfo {
	    id: string;
	    server: string;
	    client?: string;
	    command?: string[];
	    url?: string;
	    pid: number;
	
	    static createFrom(source: any = {}) {
	        return new SessionInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.server = source["server"];
	        this.client = source["client"];
	        this.command = source["command"];
	        this.url = source["url"];
	        this.pid = source["pid"];
	    }
	}

}

export namespace localapi {
	
	export class ResultFlag {
	    kind: string;
	    location: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new ResultFlag(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.location = source["location"];
	        this.text = source["text"];
	    }
	}
	export class HistoryCall {
	    id: string;
	    // Go type: time
	    requested_at: any;
	    // Go type: time
	    decided_at?: any;
	    session_id: string;
	    client: string;
	    server: string;
	    tool: string;
	    arguments: number[];
	    arguments_size: number;
	    arguments_truncated: boolean;
	    arguments_digest: string;
	    decision: string;
	    decided_by: string;
	    rule_id: string;
	    note: string;
	    reason: string;
	    wait_ms: number;
	    server_ms: number;
	    result_status: string;
	    result_size: number;
	    tool_hash: string;
	    result_flags: ResultFlag[];
	    result_excerpt?: number[];
	
	    static createFrom(source: any = {}) {
	        return new HistoryCall(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.requested_at = this.convertValues(source["requested_at"], null);
	        this.decided_at = this.convertValues(source["decided_at"], null);
	        this.session_id = source["session_id"];
	        this.client = source["client"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.arguments = source["arguments"];
	        this.arguments_size = source["arguments_size"];
	        this.arguments_truncated = source["arguments_truncated"];
	        this.arguments_digest = source["arguments_digest"];
	        this.decision = source["decision"];
	        this.decided_by = source["decided_by"];
	        this.rule_id = source["rule_id"];
	        this.note = source["note"];
	        this.reason = source["reason"];
	        this.wait_ms = source["wait_ms"];
	        this.server_ms = source["server_ms"];
	        this.result_status = source["result_status"];
	        this.result_size = source["result_size"];
	        this.tool_hash = source["tool_hash"];
	        this.result_flags = this.convertValues(source["result_flags"], ResultFlag);
	        this.result_excerpt = source["result_excerpt"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class HistoryQuery {
	    Server: string;
	    Tool: string;
	    Client: string;
	    Decision: string;
	    Search: string;
	    // Go type: time
	    Since: any;
	    // Go type: time
	    Until: any;
	    Limit: number;
	    Before: string;
	
	    static createFrom(source: any = {}) {
	        return new HistoryQuery(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.Server = source["Server"];
	        this.Tool = source["Tool"];
	        this.Client = source["Client"];
	        this.Decision = source["Decision"];
	        this.Search = source["Search"];
	        this.Since = this.convertValues(source["Since"], null);
	        this.Until = this.convertValues(source["Until"], null);
	        this.Limit = source["Limit"];
	        this.Before = source["Before"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class SecretUse {
	    server: string;
	    client?: string;
	    // Go type: time
	    first_used_at: any;
	    // Go type: time
	    last_used_at: any;
	    uses: number;
	    running: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SecretUse(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.client = source["client"];
	        this.first_used_at = this.convertValues(source["first_used_at"], null);
	        this.last_used_at = this.convertValues(source["last_used_at"], null);
	        this.uses = source["uses"];
	        this.running = source["running"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SecretReference {
	    client: string;
	    server: string;
	    config: string;
	
	    static createFrom(source: any = {}) {
	        return new SecretReference(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.client = source["client"];
	        this.server = source["server"];
	        this.config = source["config"];
	    }
	}
	export class SecretInfo {
	    name: string;
	    note: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    // Go type: time
	    last_used_at?: any;
	    referenced_by: SecretReference[];
	    used_by: SecretUse[];
	
	    static createFrom(source: any = {}) {
	        return new SecretInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.note = source["note"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.updated_at = this.convertValues(source["updated_at"], null);
	        this.last_used_at = this.convertValues(source["last_used_at"], null);
	        this.referenced_by = this.convertValues(source["referenced_by"], SecretReference);
	        this.used_by = this.convertValues(source["used_by"], SecretUse);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SecretPutResult {
	    secret: SecretInfo;
	    created: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SecretPutResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.secret = this.convertValues(source["secret"], SecretInfo);
	        this.created = source["created"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class SignInNeeded {
	    server: string;
	    client?: string;
	    url: string;
	    // Go type: time
	    at: any;
	
	    static createFrom(source: any = {}) {
	        return new SignInNeeded(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.client = source["client"];
	        this.url = source["url"];
	        this.at = this.convertValues(source["at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ToolDiff {
	    server: string;
	    server_id: string;
	    kind: string;
	    name: string;
	    state: string;
	    diff: string;
	
	    static createFrom(source: any = {}) {
	        return new ToolDiff(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.server_id = source["server_id"];
	        this.kind = source["kind"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.diff = source["diff"];
	    }
	}
	export class ToolFinding {
	    kind: string;
	    rule: string;
	    severity: string;
	    location: string;
	    excerpt: string;
	    detail?: string;
	
	    static createFrom(source: any = {}) {
	        return new ToolFinding(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.rule = source["rule"];
	        this.severity = source["severity"];
	        this.location = source["location"];
	        this.excerpt = source["excerpt"];
	        this.detail = source["detail"];
	    }
	}
	export class ToolPin {
	    server: string;
	    server_id: string;
	    kind: string;
	    name: string;
	    state: string;
	    reason?: string;
	    hash: string;
	    // Go type: time
	    first_seen: any;
	    // Go type: time
	    updated_at: any;
	    findings: ToolFinding[];
	    collisions: string[];
	
	    static createFrom(source: any = {}) {
	        return new ToolPin(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.server_id = source["server_id"];
	        this.kind = source["kind"];
	        this.name = source["name"];
	        this.state = source["state"];
	        this.reason = source["reason"];
	        this.hash = source["hash"];
	        this.first_seen = this.convertValues(source["first_seen"], null);
	        this.updated_at = this.convertValues(source["updated_at"], null);
	        this.findings = this.convertValues(source["findings"], ToolFinding);
	        this.collisions = source["collisions"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TrustRequest {
	    server: string;
	    kind?: string;
	    names?: string[];
	
	    static createFrom(source: any = {}) {
	        return new TrustRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.kind = source["kind"];
	        this.names = source["names"];
	    }
	}
	export class TrustResult {
	    trusted: string[];
	
	    static createFrom(source: any = {}) {
	        return new TrustResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.trusted = source["trusted"];
	    }
	}

}

export namespace oauth {
	
	export class SignIn {
	    server: string;
	    url: string;
	    issuer: string;
	    resource: string;
	    scopes: string[];
	    expires_at?: string;
	    status: string;
	    refreshable: boolean;
	    signed_in_at?: string;
	
	    static createFrom(source: any = {}) {
	        return new SignIn(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.server = source["server"];
	        this.url = source["url"];
	        this.issuer = source["issuer"];
	        this.resource = source["resource"];
	        this.scopes = source["scopes"];
	        this.expires_at = source["expires_at"];
	        this.status = source["status"];
	        this.refreshable = source["refreshable"];
	        this.signed_in_at = source["signed_in_at"];
	    }
	}

}

export namespace policy {
	
	export class ArgCond {
	    path: string;
	    op?: string;
	    glob?: string;
	    value?: string;
	
	    static createFrom(source: any = {}) {
	        return new ArgCond(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.op = source["op"];
	        this.glob = source["glob"];
	        this.value = source["value"];
	    }
	}
	export class Rule {
	    id: string;
	    action: string;
	    client?: string;
	    server: string;
	    tool?: string;
	    args?: ArgCond[];
	    note?: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    expires_at?: any;
	
	    static createFrom(source: any = {}) {
	        return new Rule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.action = source["action"];
	        this.client = source["client"];
	        this.server = source["server"];
	        this.tool = source["tool"];
	        this.args = this.convertValues(source["args"], ArgCond);
	        this.note = source["note"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.expires_at = this.convertValues(source["expires_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

