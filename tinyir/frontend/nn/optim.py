"""Optimizers: SGD (momentum, nesterov, weight decay), Adam, AdamW, LAMB (tinygrad's signatures).

An optimizer updates its parameters with `Tensor.assign`, so a step is one lazy graph.
Everything that changes from step to step (learning rate, the bias-correction powers of Adam)
is a realized tensor, not a Python constant: the step's graph keeps one structure and compiles
once. `step()` realizes the new parameters, the optimizer state and the model's buffers (tensors
with requires_grad=False, like BatchNorm's running statistics) together in one program;
`schedule_step()` returns those tensors instead, to be realized with the loss in one go:
`loss.realize(*opt.schedule_step())`.
"""

from __future__ import annotations

import numpy as np

from tinyir.frontend.tensor import Tensor


def _scalar(value: float, device: str) -> Tensor:
    return Tensor(np.array(value, dtype=np.float32), device=device, requires_grad=False)


class Optimizer:
    """Holds the parameters (tensors whose requires_grad is not False; None is turned into True)
    and the buffers (requires_grad=False) of a model."""

    def __init__(self, params: list[Tensor], lr: float):
        for p in params:
            if p.requires_grad is None:
                p.requires_grad = True
        self.params = _unique([p for p in params if p.requires_grad])
        self.buffers = _unique([p for p in params if not p.requires_grad])
        if not self.params:
            raise ValueError("optimizer: got no parameters to optimize")
        self.device = self.params[0].device
        self.lr = _scalar(lr, self.device)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        Tensor.realize(*self.schedule_step())

    def schedule_step(self) -> list[Tensor]:
        """Assign the updated values (lazily) and return every tensor the step changes."""
        missing = [i for i, p in enumerate(self.params) if p.grad is None]
        if len(missing) == len(self.params):
            raise RuntimeError("optimizer.step: no parameter has a gradient; call loss.backward() first")
        return [*self._update(), *self.params, *self.buffers]

    def _update(self) -> list[Tensor]:
        """Assign new values to the parameters; return the state tensors it changed."""
        raise NotImplementedError

    def _grad(self, p: Tensor) -> Tensor:
        return p.grad if p.grad is not None else p.zeros_like()


def _unique(ts: list[Tensor]) -> list[Tensor]:
    seen: set[int] = set()
    return [t for t in ts if not (id(t) in seen or seen.add(id(t)))]


class SGD(Optimizer):
    """`g = grad + weight_decay * p; b = momentum * b + g; p -= lr * (g + momentum * b if nesterov
    else b)` (plain `p -= lr * g` without momentum), as PyTorch's SGD with dampening 0."""

    def __init__(self, params: list[Tensor], lr: float = 0.001, momentum: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False):
        super().__init__(params, lr)
        if nesterov and momentum <= 0:
            raise ValueError("SGD: nesterov needs a positive momentum")
        self.momentum, self.weight_decay, self.nesterov = momentum, weight_decay, nesterov
        self.b = [Tensor(np.zeros(p.shape, p.dtype.np), device=p.device, requires_grad=False)
                  for p in self.params] if momentum else []

    def _update(self) -> list[Tensor]:
        for i, p in enumerate(self.params):
            g = self._grad(p)
            if self.weight_decay:
                g = g + self.weight_decay * p.detach()
            if self.momentum:
                self.b[i].assign(self.momentum * self.b[i] + g)
                g = g + self.momentum * self.b[i] if self.nesterov else self.b[i]
            p.assign(p.detach() - g * self.lr)
        return self.b


class LAMB(Optimizer):
    """Adam moments with decoupled weight decay; with `adam=False` the update is scaled by the
    trust ratio |p| / |update| (LAMB). Adam and AdamW are this with adam=True."""

    def __init__(self, params: list[Tensor], lr: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-6,
                 weight_decay: float = 0.0, adam: bool = False):
        super().__init__(params, lr)
        self.b1, self.b2, self.eps, self.wd, self.adam = b1, b2, eps, weight_decay, adam
        # b1^t and b2^t, for the bias correction: tensors, so the step graph does not change with t
        self.b1_t, self.b2_t = _scalar(1.0, self.device), _scalar(1.0, self.device)
        self.m = [Tensor(np.zeros(p.shape, np.float32), device=p.device, requires_grad=False) for p in self.params]
        self.v = [Tensor(np.zeros(p.shape, np.float32), device=p.device, requires_grad=False) for p in self.params]

    def _update(self) -> list[Tensor]:
        self.b1_t.assign(self.b1_t * self.b1)
        self.b2_t.assign(self.b2_t * self.b2)
        for i, p in enumerate(self.params):
            g = self._grad(p).cast(self.m[i].dtype)
            self.m[i].assign(self.b1 * self.m[i] + (1.0 - self.b1) * g)
            self.v[i].assign(self.b2 * self.v[i] + (1.0 - self.b2) * (g * g))
            m_hat = self.m[i] / (1.0 - self.b1_t)
            v_hat = self.v[i] / (1.0 - self.b2_t)
            up = m_hat / (v_hat.sqrt() + self.eps) + self.wd * p.detach()
            if not self.adam:
                r1 = p.detach().square().sum().sqrt()
                r2 = up.square().sum().sqrt()
                up = up * ((r1 > 0) & (r2 > 0)).where(r1 / r2, 1.0)
            p.assign(p.detach() - self.lr * up)
        return [self.b1_t, self.b2_t, *self.m, *self.v]


def Adam(params: list[Tensor], lr: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,  # noqa: N802
         weight_decay: float = 0.0) -> Optimizer:
    """Adam (PyTorch's defaults). A nonzero weight_decay is L2 regularization added to the
    gradient, as in torch.optim.Adam (AdamW decouples it)."""
    if weight_decay:
        return _L2Adam(params, lr, b1, b2, eps, weight_decay)
    return LAMB(params, lr, b1, b2, eps, 0.0, adam=True)


def AdamW(params: list[Tensor], lr: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,  # noqa: N802
          weight_decay: float = 0.01) -> Optimizer:
    """Adam with decoupled weight decay: p -= lr * (adam_update + weight_decay * p)."""
    return LAMB(params, lr, b1, b2, eps, weight_decay, adam=True)


class _L2Adam(LAMB):
    """Adam whose weight decay is added to the gradient before the moments (torch.optim.Adam)."""

    def __init__(self, params: list[Tensor], lr: float, b1: float, b2: float, eps: float, l2: float):
        super().__init__(params, lr, b1, b2, eps, 0.0, adam=True)
        self.l2 = l2

    def _grad(self, p: Tensor) -> Tensor:
        return super()._grad(p) + self.l2 * p.detach()


__all__ = ["LAMB", "SGD", "Adam", "AdamW", "Optimizer"]
