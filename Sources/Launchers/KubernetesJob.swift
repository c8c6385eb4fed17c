import Foundation
import BenchModel

/// A distributed test as Kubernetes objects: a ConfigMap holding the scenario and an Indexed Job
/// (`completionMode: Indexed`) of N pods, pod k running segment k+1 of N (``SegmentCommand``) from a
/// common start time. Pods prefer distinct nodes (a generator per machine); each prints its result
/// into its log, from which ``collectScript(directory:)`` gathers them and `phibench merge` judges
/// the whole test.
package struct KubernetesJob: Sendable, Equatable {
    /// The Job's name (the ConfigMap is `<name>-scenario`); a DNS label.
    package var name: String
    /// Container image with `phibench` on its PATH and `sh`.
    package var image: String
    /// The scenario file's text.
    package var scenario: String
    package var command: SegmentCommand
    /// Common start, ISO 8601 UTC.
    package var startAt: String
    /// Optional namespace for every object.
    package var namespace: String?

    /// Where the ConfigMap is mounted in each pod.
    package static let mountPath = "/etc/phibench"
    package static let scenarioKey = "scenario.yaml"

    package init(name: String, image: String, scenario: String, command: SegmentCommand, startAt: String, namespace: String? = nil) {
        self.name = name
        self.image = image
        self.scenario = scenario
        self.command = command
        self.startAt = startAt
        self.namespace = namespace
    }

    /// Whether `name` is a DNS-1123 label short enough for a Job (pods add a suffix): 1–52 of a–z, 0–9, `-`,
    /// starting and ending alphanumeric.
    package static func isValidName(_ name: String) -> Bool {
        guard (1...52).contains(name.count), let f = name.first, let l = name.last else { return false }
        let ok: (Character) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        return ok(f) && ok(l) && name.allSatisfy { ok($0) || $0 == "-" }
    }

    /// The two objects as one YAML stream (`kubectl apply -f`).
    package var manifest: String {
        let ns = namespace.map { "\n  namespace: \(yamlString($0))" } ?? ""
        let segments = command.segments
        return """
            # phibench distributed test: \(segments) generators, each one execution segment, from \(startAt).
            # kubectl apply -f this file; the pods' logs hold the segment results (see collect.sh).
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(name)-scenario\(ns)
              labels:
                app.kubernetes.io/name: phibench
                app.kubernetes.io/instance: \(name)
            data:
              \(Self.scenarioKey): \(yamlBlock(scenario, indent: 4))
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: \(name)\(ns)
              labels:
                app.kubernetes.io/name: phibench
                app.kubernetes.io/instance: \(name)
            spec:
              completionMode: Indexed
              completions: \(segments)
              parallelism: \(segments)
              # A pod restarted after the common start would find it past and refuse to run (exit 2):
              # a failed segment shows up as missing at merge time instead.
              backoffLimit: 0
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: phibench
                    app.kubernetes.io/instance: \(name)
                spec:
                  restartPolicy: Never
                  affinity:
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                        - weight: 100
                          podAffinityTerm:
                            topologyKey: kubernetes.io/hostname
                            labelSelector:
                              matchLabels:
                                app.kubernetes.io/instance: \(name)
                  containers:
                    - name: phibench
                      image: \(yamlString(image))
                      command: ["sh", "-c"]
                      args:
                        - \(yamlBlock(command.script, indent: 14))
                      env:
                        - name: PHIBENCH_SCENARIO
                          value: \(yamlString("\(Self.mountPath)/\(Self.scenarioKey)"))
                        - name: PHIBENCH_START_AT
                          value: \(yamlString(startAt))
                      volumeMounts:
                        - name: scenario
                          mountPath: \(yamlString(Self.mountPath))
                          readOnly: true
                  volumes:
                    - name: scenario
                      configMap:
                        name: \(name)-scenario

            """
    }

    /// A script that saves each pod's log (by completion index) to `directory/segment-<i>.log` and
    /// merges them into `directory/merged` (exit status: merge's).
    package func collectScript(directory: String) -> String {
        let ns = namespace.map { " -n \(shellQuoted($0))" } ?? ""
        let dir = shellQuoted(directory)
        return """
            #!/bin/sh
            # Collect the segment results of Job \(name) from its pods' logs and merge them.
            set -u
            mkdir -p \(dir)
            files=""
            i=0
            while [ $i -lt \(command.segments) ]; do
              f=\(dir)/segment-$((i + 1)).log
              if kubectl logs\(ns) -l job-name=\(name),batch.kubernetes.io/job-completion-index=$i --tail=-1 > "$f"; then
                files="$files $f"
              else
                echo "segment $((i + 1)): no log (pod missing?)" >&2
              fi
              i=$((i + 1))
            done
            exec "${PHIBENCH:-phibench}" merge $files --out \(dir)/merged "$@"

            """
    }
}

/// A YAML double-quoted scalar (JSON string syntax, which YAML accepts).
func yamlString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\u%04X", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

/// A literal block scalar (`|`) indented by `indent` spaces when the text can be one, else a quoted string.
func yamlBlock(_ s: String, indent: Int) -> String {
    let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
    let blockable = s.hasSuffix("\n") && !s.hasSuffix("\n\n") && !s.contains("\t") && !s.contains("\r")
        && !(lines.first?.hasPrefix(" ") ?? true) && s.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" }
    guard blockable else { return yamlString(s) }
    let pad = String(repeating: " ", count: indent)
    return "|\n" + lines.dropLast().map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
}
