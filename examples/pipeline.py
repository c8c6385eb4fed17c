#!/usr/bin/env python3
"""The Φ pipeline in Python (standard library only), as a phibench-worker/1 child.

Same shape as phibench's Swift pipeline: five stages per episode, MMEI → MCEA → MEA → TIG → ESGT,
and, for an episode whose ESGT event ignites, PHI: integrated information of the ignited
subsystem, cached with functools.lru_cache (PHI.hit / PHI.miss are its sub-stages). The numbers
are not the Swift pipeline's; the shape is, so `phibench compare` lines them up stage by stage.

Protocol (docs/worker-protocol.md): one JSON object per line on stdin/stdout. Run by phibench:
    phibench run examples/pipeline.yaml
"""
import functools
import json
import math
import random
import sys
import time

STAGES = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI",
          {"name": "PHI.hit", "parent": "PHI"}, {"name": "PHI.miss", "parent": "PHI"}]
METRICS = [
    {"name": "phi.cache_hit_rate", "unit": "fraction", "direction": "higher",
     "summary": "Φ lookups answered by the LRU cache ÷ lookups (per-episode 1/0, mean)."},
    {"name": "esgt.ignition_rate", "unit": "fraction", "direction": "informational",
     "summary": "Episodes whose ESGT event ignited ÷ episodes."},
]


class Pipeline:
    def __init__(self, seed, params):
        self.seed = seed
        self.nodes = int(params.get("nodes", 8))
        self.vocabulary = int(params.get("vocabulary", 200))
        self.zipf = float(params.get("zipf", 1.1))
        self.steps = int(params.get("steps", 40))
        weights = [1.0 / (k ** self.zipf) for k in range(1, self.vocabulary + 1)]
        total = sum(weights)
        self.cdf = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self.cdf.append(acc)
        rng = random.Random(seed)
        n = self.nodes
        self.coupling = [[0.0 if i == j else rng.uniform(0.1, 1.0) for j in range(n)] for i in range(n)]
        self.phi = functools.lru_cache(maxsize=int(params.get("cache", 1000)))(self._phi)

    def stimulus(self, episode):
        """The same episode id always gives the same stimulus (a Zipf-distributed word)."""
        rng = random.Random(self.seed * 1_000_003 + episode)
        u = rng.random()
        lo, hi = 0, len(self.cdf) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.cdf[mid] < u:
                lo = mid + 1
            else:
                hi = mid
        return lo, rng

    def run(self, episode):
        t = time.perf_counter_ns
        stages, metrics = {}, {}
        word, rng = self.stimulus(episode)

        start = t()  # MMEI: interoceptive needs from the stimulus
        needs = [math.sin(word * (k + 1) * 0.37) ** 2 for k in range(self.nodes)]
        stages["MMEI"] = t() - start

        start = t()  # MCEA: arousal, a smoothed norm of the needs
        arousal = math.tanh(sum(x * x for x in needs) / self.nodes * 3.0)
        stages["MCEA"] = t() - start

        start = t()  # MEA: attention, a softmax over salience
        exps = [math.exp(3.0 * x * arousal) for x in needs]
        z = sum(exps)
        attention = [e / z for e in exps]
        stages["MEA"] = t() - start

        start = t()  # TIG: the thalamocortical graph weighted by attention
        n = self.nodes
        graph = [[self.coupling[i][j] * (attention[i] + attention[j]) for j in range(n)] for i in range(n)]
        stages["TIG"] = t() - start

        start = t()  # ESGT: Kuramoto synchronisation; ignition when coherence is high
        phases = [((word * 7919 + k * 104729) % 628) / 100.0 for k in range(n)]
        for _ in range(self.steps):
            phases = [p + 0.05 * (1.0 + sum(graph[i][j] * math.sin(phases[j] - p) for j in range(n)))
                      for i, p in enumerate(phases)]
        re = sum(math.cos(p) for p in phases) / n
        im = sum(math.sin(p) for p in phases) / n
        coherence = math.hypot(re, im)
        ignited = coherence > 0.55 or word % 3 == 0
        stages["ESGT"] = t() - start
        metrics["esgt.ignition_rate"] = 1.0 if ignited else 0.0

        if ignited:
            start = t()  # PHI: integrated information of the ignited state (cached)
            state = tuple(1 if a > 1.0 / n else 0 for a in attention)
            hits = self.phi.cache_info().hits
            self.phi(state)
            hit = self.phi.cache_info().hits > hits
            took = t() - start
            stages["PHI"] = took
            stages["PHI.hit" if hit else "PHI.miss"] = took
            metrics["phi.cache_hit_rate"] = 1.0 if hit else 0.0
        return stages, metrics

    def _phi(self, state):
        """Minimum-information bipartition of the coupling restricted to the state (exhaustive)."""
        n = self.nodes
        best = math.inf
        for mask in range(1, 1 << (n - 1)):
            cut = 0.0
            for i in range(n):
                side_i = (mask >> i) & 1
                for j in range(n):
                    if side_i != ((mask >> j) & 1):
                        w = self.coupling[i][j] * (1.5 if state[i] and state[j] else 0.5)
                        cut += w * math.log1p(w)
            size = bin(mask).count("1")
            normalised = cut / min(size, n - size)
            if normalised < best:
                best = normalised
        return best


def main():
    out = sys.stdout
    pipeline = None
    for line in sys.stdin:
        msg = json.loads(line)
        kind = msg.get("type")
        if kind == "init":
            pipeline = Pipeline(int(msg.get("seed", 42)), msg.get("params") or {})
            out.write(json.dumps({"type": "init_ok", "stages": STAGES, "metrics": METRICS}) + "\n")
        elif kind == "episode":
            episode = msg["id"]
            try:
                stages, metrics = pipeline.run(episode)
                out.write(json.dumps({"type": "done", "id": episode, "stages": stages, "metrics": metrics}) + "\n")
            except Exception as error:  # a failed episode is reported, not fatal
                out.write(json.dumps({"type": "error", "id": episode, "message": repr(error)}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
