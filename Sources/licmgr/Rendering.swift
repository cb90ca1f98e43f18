import Foundation
import LicmgrCore

/// The stable JSON shapes of the contract: snake_case keys, null where a value is absent.
enum Rendering {
    static func json(_ value: Int?) -> Any { value.map { $0 as Any } ?? NSNull() }
    static func json(_ value: String?) -> Any { value.map { $0 as Any } ?? NSNull() }

    static func license(_ license: License, withKey: Bool = false) -> [String: Any] {
        var object: [String: Any] = [
            "id": license.id, "name": license.name, "ip": license.ip, "pricelist": license.pricelist,
            "period": json(license.period), "status": license.gone ? "gone" : license.status.name,
            "expires": json(license.expires?.description), "service_id": json(license.serviceID),
            "addon": json(license.addon), "line": license.line.rawValue,
        ]
        if withKey { object["key"] = json(license.key) }
        return object
    }

    static func service(_ service: Service, licenses: [License]) -> [String: Any] {
        [
            "id": service.id, "name": service.name, "ip": service.ip, "package": json(service.package),
            "period": json(service.period), "addons": service.addons, "status": service.status.rawValue,
            "licenses": licenses.filter(\.isLive).map(\.id),
        ]
    }

    static func report(_ report: RunReport) -> [String: Any] {
        var object: [String: Any] = [:]
        for action in RunReport.Action.allCases {
            object[action.rawValue] = report.count(action)
        }
        var errors: [[String: Any]] = report.failures.map { item in
            [
                "service_id": json(item.serviceID), "addon": json(item.addon), "license_id": json(item.licenseID),
                "message": item.detail,
            ]
        }
        if let stopped = report.stopped {
            errors.append([
                "service_id": NSNull(), "addon": NSNull(), "license_id": NSNull(),
                "message": stopped.description, "code": Int(ExitStatus.of(stopped).rawValue),
            ])
        }
        object["errors"] = errors
        object["warnings"] = report.warnings
        object["notes"] = report.notes
        object["dry_run"] = report.dryRun
        object["items"] = report.items.map { item in
            [
                "action": item.action.rawValue, "service_id": json(item.serviceID), "addon": json(item.addon),
                "license_id": json(item.licenseID), "detail": item.detail,
            ] as [String: Any]
        }
        return object
    }

    /// Prints a run report as text: results on stdout, failures and warnings on stderr.
    /// `showUnchanged` is for commands a person names items to; cron runs stay silent.
    static func print(_ report: RunReport, to output: Output, showUnchanged: Bool = false) {
        if output.json {
            output.document(Rendering.report(report))
            return
        }
        for note in report.notes { output.detail(note) }
        for item in report.items {
            switch item.action {
            case .failed, .held: output.error(item.detail)
            case .unchanged, .skipped: showUnchanged ? output.line(item.detail) : output.detail(item.detail)
            default: output.line(item.detail)
            }
        }
        for warning in report.warnings { output.warning(warning) }
        if let stopped = report.stopped {
            let hint = stopped.isInDoubt ? "; the step is journaled and the next run settles it" : ""
            output.error("stopped: \(stopped.description)\(hint)")
        }
    }
}
