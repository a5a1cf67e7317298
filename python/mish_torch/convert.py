"""mish_torch.convert: a model's activations become Mish, and its batch norms
fuse with them into BatchNormMish2d, in one call.

    net = mish_torch.convert(torchvision.models.resnet50())
    print(net.mish_conversion)    # what was swapped, fused, left and why

torch.fx traces the model. Every activation of the given types, module or
functional call, becomes our Mish. A BatchNorm2d whose output goes only to
such an activation, directly or through one addition (a residual sum, whose
other addend may be a projection shortcut's BatchNorm2d), becomes a
BatchNormMish2d under its own name, holding the same tensors: state dicts
load both ways. A model torch.fx cannot trace gets its activation modules
swapped only, with a warning. A module whose forward reads self.training
is kept whole: tracing would freeze the mode it was traced in.
"""

import collections
import copy
import dataclasses
import inspect
import itertools
import operator
import warnings
from typing import List

import torch
import torch.nn.functional as F
from torch import fx, nn

from . import Mish
from .batch_norm import BatchNormMish2d

__all__ = ["ACTIVATIONS", "Conversion", "convert"]

ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.SiLU, nn.GELU,
               nn.Hardswish, nn.Mish)

# Functional forms of each activation module type, as torch.fx records them,
# with the position of their `inplace` argument (None: they have none).
_FUNCTIONS = {
    nn.ReLU: {F.relu: 1, torch.relu: None, F.relu_: None, torch.relu_: None},
    nn.ReLU6: {F.relu6: 1},
    nn.LeakyReLU: {F.leaky_relu: 2, F.leaky_relu_: None},
    nn.SiLU: {F.silu: 1},
    nn.GELU: {F.gelu: None},
    nn.Hardswish: {F.hardswish: 1},
    nn.Mish: {F.mish: 1},
}
_ALWAYS_IN_PLACE = (F.relu_, torch.relu_, F.leaky_relu_)
_METHODS = {nn.ReLU: ("relu", "relu_")}
_ADDS = (operator.add, operator.iadd, torch.add)


@dataclasses.dataclass
class Conversion:
    """What convert changed; str() gives a readable summary."""

    traced: bool = True
    why_not_traced: str = ""
    swapped: List[str] = dataclasses.field(default_factory=list)
    fused: List[str] = dataclasses.field(default_factory=list)
    left: List[str] = dataclasses.field(default_factory=list)
    kept_whole: List[str] = dataclasses.field(default_factory=list)

    def __str__(self):
        lines = []
        if not self.traced:
            lines.append("not traced (" + self.why_not_traced +
                         "): activation modules swapped only")
        for title, items in (("swapped", self.swapped),
                             ("fused", self.fused),
                             ("left as they are", self.left),
                             ("kept whole (forward reads self.training)",
                              self.kept_whole)):
            lines.append(f"{len(items)} {title}" + (":" if items else ""))
            lines.extend("  " + item for item in items)
        return "\n".join(lines)


def _reads_training(module):
    """Whether module's forward branches on self.training in Python (drop
    path, auxiliary heads): a trace would keep only the traced mode."""
    try:
        return "self.training" in inspect.getsource(type(module).forward)
    except (OSError, TypeError):  # no source: nothing to see
        return False


class _Tracer(fx.Tracer):
    """torch.nn's modules and ours are leaves (BatchNormMish2d's forward
    updates running statistics in Python, which tracing would record), and
    so are modules that read self.training."""

    def __init__(self, summary):
        super().__init__()
        self.summary = summary

    def is_leaf_module(self, m, qualified_name):
        if isinstance(m, (Mish, BatchNormMish2d)) or \
                super().is_leaf_module(m, qualified_name):
            return True
        if _reads_training(m):
            entry = f"{qualified_name}: {type(m).__name__}"
            if entry not in self.summary.kept_whole:  # called again
                self.summary.kept_whole.append(entry)
            return True
        return False


def convert(model: nn.Module, activations=ACTIVATIONS,
            fuse: bool = True) -> nn.Module:
    """A new module computing model with every activation of the given types
    replaced by Mish and (fuse=True) every batch norm that can be fused into
    a BatchNormMish2d; model itself is left unchanged. The result's
    mish_conversion attribute (a Conversion) says what was done."""
    activations = tuple(activations)
    summary = Conversion()
    model = copy.deepcopy(model)
    tracer = _Tracer(summary)
    if _reads_training(model):
        summary.why_not_traced = ("its forward reads self.training, which a "
                                  "trace would freeze")
    else:
        try:
            graph = tracer.trace(model)
        except Exception as error:  # any tracing failure falls back alike
            summary.why_not_traced = f"{type(error).__name__}: {error}"
    if summary.why_not_traced:
        summary.traced = False
        summary.kept_whole.clear()
        warnings.warn(
            f"mish_torch.convert: torch.fx cannot trace "
            f"{type(model).__name__} ({summary.why_not_traced}); swapping "
            "its activation modules only: no batch norm fused, functional "
            "activations left as they are", stacklevel=2)
        _swap_modules(model, activations, summary, in_place=True)
        model.mish_conversion = summary
        return model
    converted = fx.GraphModule(tracer.root, graph, type(model).__name__)
    _Rewrite(converted, activations, summary).run(fuse)
    _swap_modules(converted, activations, summary, in_place=False)
    converted.mish_conversion = summary
    return converted


def _swap_modules(model, activations, summary, in_place):
    """Each activation module becomes one Mish, under every name it has.
    Without a graph an in-place activation stays in place (code may rely on
    the mutation); in a rewritten graph every use reads the result."""
    children = [(prefix, parent, name, child)
                for prefix, parent in model.named_modules()
                for name, child in parent.named_children()]
    new = {}
    for prefix, parent, name, child in children:
        if not isinstance(child, activations):
            continue
        if id(child) not in new:
            inplace = in_place and getattr(child, "inplace", False)
            new[id(child)] = Mish(inplace=inplace)
            summary.swapped.append(
                f"{prefix + '.' if prefix else ''}{name}: "
                f"{type(child).__name__} -> Mish")
        setattr(parent, name, new[id(child)])


def _name(target):
    return getattr(target, "__name__", str(target))


def _describe(node):
    """A module call by the module's name, anything else by the node's."""
    return node.target if node.op == "call_module" else node.name


class _Rewrite:
    """The graph rewrite: uses after an in-place op read its result, batch
    norms fuse with the activation after them, functional activations call
    torch.ops.mish.mish."""

    def __init__(self, module, activations, summary):
        self.module, self.graph = module, module.graph
        self.activations, self.summary = activations, summary
        self.functions = {}
        for kind in activations:
            for base, functions in _FUNCTIONS.items():
                if issubclass(kind, base):
                    self.functions.update(functions)
        self.methods = {m for kind in activations
                        for base, methods in _METHODS.items()
                        if issubclass(kind, base) for m in methods}
        self.calls = collections.Counter(
            n.target for n in self.graph.nodes if n.op == "call_module")

    def run(self, fuse):
        self.read_results_of_in_place_ops()
        if fuse:
            for node in [n for n in self.graph.nodes if self.is_activation(n)]:
                self.fuse_before(node)
            self.explain_unfused()
        for node in [n for n in self.graph.nodes if self.is_activation(n)]:
            if node.op != "call_module":
                self.swap_function(node)
        self.graph.lint()
        self.module.delete_all_unused_submodules()
        self.module.recompile()

    def submodule(self, node):
        return self.module.get_submodule(node.target)

    def is_activation(self, node):
        if node.op == "call_module":
            return isinstance(self.submodule(node), self.activations)
        if node.op == "call_function":
            return node.target in self.functions
        return node.op == "call_method" and node.target in self.methods

    def in_place(self, node):
        """Whether node overwrites its first argument: an activation or an
        addition, the ops this rewrite replaces by out-of-place ones."""
        if node.op == "call_module":
            return self.is_activation(node) and \
                getattr(self.submodule(node), "inplace", False)
        if node.op == "call_method":
            return node.target in ("add_", "relu_")
        if node.target is operator.iadd:
            return True
        if node.op != "call_function" or node.target not in self.functions:
            return False
        if node.target in _ALWAYS_IN_PLACE:
            return True
        position = self.functions[node.target]
        if position is None:
            return False
        if len(node.args) > position:
            return bool(node.args[position])
        return bool(node.kwargs.get("inplace", False))

    def read_results_of_in_place_ops(self):
        """x.relu_(); y = f(x) becomes y = f(x.relu_()), so the in-place
        op can be replaced by an out-of-place one."""
        order = {node: i for i, node in enumerate(self.graph.nodes)}
        for node in list(self.graph.nodes):
            if not self.in_place(node) or \
                    not isinstance(node.args[0], fx.Node):
                continue
            mutated = node.args[0]
            for user in list(mutated.users):
                if order[user] > order[node]:
                    user.replace_input_with(mutated, node)

    def batch_norm(self, node):
        """node is the one call of a plain BatchNorm2d (subclasses may
        compute something else), on one input, read by one node."""
        if node.op != "call_module" or \
                type(self.submodule(node)) is not nn.BatchNorm2d:
            return False
        return self.calls[node.target] == 1 and len(node.args) == 1 and \
            not node.kwargs and len(node.users) == 1

    @staticmethod
    def addends(node):
        """The two tensors a plain addition node sums, else None."""
        adds = node.op == "call_function" and node.target in _ADDS or \
            node.op == "call_method" and node.target in ("add", "add_")
        if not adds or len(node.args) != 2 or node.kwargs:
            return None
        a, b = node.args
        # A parameter or buffer (get_attr) may broadcast; the fused op
        # takes a residual of the output's shape.
        if not all(isinstance(n, fx.Node) and n.op != "get_attr"
                   for n in (a, b)) or a is b:
            return None
        return a, b

    def fuse_before(self, act):
        source = act.args[0] if act.args else None
        if not isinstance(source, fx.Node):
            return
        if self.batch_norm(source):
            self.fuse(act, source)
            return
        addends = self.addends(source)
        if addends is None or len(source.users) != 1:
            return
        norms = [n for n in addends if self.batch_norm(n)]
        if not norms:
            return
        main = norms[0]
        other = addends[1] if main is addends[0] else addends[0]
        self.fuse(act, main, source, other, other in norms)

    def fuse(self, act, bn, add=None, residual=None, normalized=False):
        module = self.submodule(bn)
        fused = BatchNormMish2d(module.num_features, module.eps,
                                module.momentum, module.affine,
                                module.track_running_stats)
        fused.train(module.training)
        for name, tensor in itertools.chain(
                module.named_parameters(recurse=False),
                module.named_buffers(recurse=False)):
            setattr(fused, name, tensor)
        parent, _, name = bn.target.rpartition(".")
        setattr(self.module.get_submodule(parent), name, fused)

        args = (bn.args[0],)
        what = f"{bn.target} + {_name(act.target)}"
        with self.graph.inserting_before(act):
            if normalized:
                # The shortcut's batch norm goes in as a module: the fused
                # layer normalizes its input (residual.args[0]) itself.
                shortcut_bn = self.graph.get_attr(residual.target)
                args += (residual.args[0], shortcut_bn)
                what = (f"{bn.target} + normalized residual "
                        f"{residual.target} + {_name(act.target)}")
            elif residual is not None:
                args += (residual,)
                what = (f"{bn.target} + residual {_describe(residual)} + "
                        f"{_name(act.target)}")
            call = self.graph.call_module(bn.target, args)
        act.replace_all_uses_with(call)
        for node in (act, add, bn, residual if normalized else None):
            if node is not None:
                self.graph.erase_node(node)
        self.summary.fused.append(what + " -> BatchNormMish2d")

    def explain_unfused(self):
        for node in self.graph.nodes:
            if node.op != "call_module" or \
                    type(self.submodule(node)) is not nn.BatchNorm2d:
                continue
            users = list(node.users)
            if len(users) != 1:
                why = f"its output goes to {len(users)} nodes"
            elif not self.batch_norm(node):
                why = "called more than once or with extra arguments"
            elif self.addends(users[0]) is not None:
                after = list(users[0].users)
                why = (f"the sum {users[0].name} goes to " +
                       ", ".join(_describe(n) for n in after) +
                       ", not one activation converted")
            else:
                why = (f"its output goes to {_describe(users[0])}, not an "
                       "activation converted")
            self.summary.left.append(f"{node.target}: {why}")

    def swap_function(self, node):
        with self.graph.inserting_before(node):
            call = self.graph.call_function(torch.ops.mish.mish,
                                            (node.args[0],))
        node.replace_all_uses_with(call)
        self.graph.erase_node(node)
        self.summary.swapped.append(f"{node.name}: {_name(node.target)} "
                                    "-> torch.ops.mish.mish")
