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

export namespace policy {
	
	export class ArgCond {
	    path: string;
	    glob: string;
	
	    static createFrom(source: any = {}) {
	        return new ArgCond(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.glob = source["glob"];
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

