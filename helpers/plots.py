"""Figures in one style: digit grids, label counts, learning curves, filters and maps.
Call ``use_style()`` once per notebook. Every function returns the matplotlib ``Figure``
so a notebook can adjust or save it; Jupyter shows it inline."""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

FIGURE_DPI = 80  # small committed outputs, still sharp on a laptop screen


def use_style():
    """T5's seaborn look (white style, notebook context, deep palette), modest size."""
    sns.set_theme(style="white", context="notebook", palette="deep")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "figure.figsize": (7, 4)})


def _image(digit):
    digit = np.asarray(digit)
    return digit.reshape(digit.shape[0], digit.shape[1]) if digit.ndim == 3 else digit


def digit_grid(images, titles=None, cols=3, size=1.6, cmap="gray"):
    """Images in a grid, no ticks, each with an optional title (e.g. ``Digit: 5``)."""
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * size, rows * size * 1.1), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.axis("off")
            continue
        ax.imshow(_image(images[i]), cmap=cmap)
        if titles is not None:
            ax.set_title(titles[i], fontsize=10)
    fig.tight_layout()
    return fig


def label_counts(labels):
    """A count plot of digit labels (T5), one bar per class."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    sns.countplot(x=np.asarray(labels), ax=ax, color=sns.color_palette()[0])
    ax.set(xlabel="digit", ylabel="training images", title="How many of each digit")
    fig.tight_layout()
    return fig


def learning_curves(history, metrics=("accuracy", "loss"), validation_label="test"):
    """T1's figure: one panel per metric, training vs validation, per epoch."""
    logs = history.history if hasattr(history, "history") else history
    epochs = np.arange(1, len(logs[metrics[0]]) + 1)
    fig, axes = plt.subplots(
        len(metrics), 1, figsize=(6.5, 2.6 * len(metrics)), sharex=True
    )
    for ax, metric in zip(np.atleast_1d(axes), metrics):
        ax.plot(epochs, logs[metric], "o-", label="train")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "o-", label=validation_label)
        ax.set(ylabel=metric, title=f"model {metric}")
        ax.legend(loc="best")
    np.atleast_1d(axes)[-1].set_xlabel("epoch")
    np.atleast_1d(axes)[-1].xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    fig.tight_layout()
    return fig


def loss_vs_accuracy(history):
    """T2's figure: training loss (dots) and training accuracy (line) on one axes."""
    logs = history.history if hasattr(history, "history") else history
    epochs = np.arange(1, len(logs["loss"]) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    ax.plot(epochs, logs["loss"], "o", label="training loss")
    ax.plot(epochs, logs["accuracy"], "-", label="training accuracy")
    ax.set(xlabel="epoch", title="Training loss vs accuracy")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(loc="center right")
    fig.tight_layout()
    return fig


def channel_grid(maps, cols=8, size=1.0, title=None, cmap="viridis"):
    """Show the channels of one feature map (H, W, C) or a stack of kernels as tiles."""
    maps = np.asarray(maps, dtype="float32")
    count = maps.shape[-1]
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * size, rows * size), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(maps[..., i], cmap=cmap)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def mean_digits(images, labels):
    """The average image of each class, in one row."""
    fig, axes = plt.subplots(1, 10, figsize=(10, 1.5))
    for digit, ax in enumerate(axes):
        ax.imshow(
            np.asarray(images)[np.asarray(labels) == digit].mean(axis=0), cmap="gray"
        )
        ax.set_title(str(digit))
        ax.axis("off")
    fig.tight_layout()
    return fig


def reported_vs_reproduced(table):
    """Bars of reported and reproduced test accuracy per model (``results.table()``)."""
    frame = table[["reported %", "reproduced %"]]
    fig, ax = plt.subplots(figsize=(7.5, 3.5))
    frame.plot.bar(ax=ax, rot=0, width=0.75)
    low = np.nanmin(frame.to_numpy(dtype=float))
    ax.set(ylim=(np.floor(low * 2) / 2 - 0.2, 100), ylabel="test accuracy %", xlabel="")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def seed_spread(by_id, reported, targets):
    """Each model's test accuracy per seed (dots), mean ± one standard deviation (bar),
    the tutorial's reported figure (cross) and SPEC's target (dash). ``by_id``:
    ``results.seeds()``; ``reported`` and ``targets``: fractions by model id."""
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    labelled = set()
    for x, (model_id, row) in enumerate(by_id.items()):
        accuracies = np.array(row["test_accuracy"]) * 100
        ax.scatter(
            np.full(len(accuracies), x - 0.12),
            accuracies,
            s=14,
            color="C0",
            label="one seed" if x == 0 else None,
        )
        ax.errorbar(
            x + 0.05,
            row["mean"] * 100,
            yerr=row["std"] * 100,
            fmt="o",
            color="C1",
            capsize=4,
            label="mean ± 1 std" if x == 0 else None,
        )
        if reported.get(model_id) is None:
            continue  # no published run of this model (T4blog): no cross, no target
        ax.scatter(
            x + 0.22,
            reported[model_id] * 100,
            marker="x",
            s=40,
            color="C3",
            label="reported" if "reported" not in labelled else None,
        )
        ax.hlines(
            targets[model_id] * 100,
            x - 0.3,
            x + 0.3,
            color="C3",
            linestyle=":",
            label="target (reported - 0.25)" if "reported" not in labelled else None,
        )
        labelled.add("reported")
    ax.set_xticks(range(len(by_id)), list(by_id))
    ax.set(ylabel="test accuracy %", title="Tutorial models over seeds")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    fig.tight_layout()
    return fig


def confusion(matrix, title="Confusion matrix (test set)"):
    """A heatmap of a 10x10 confusion matrix: rows true digits, columns predictions."""
    fig, ax = plt.subplots(figsize=(6.2, 5.2))
    off_diagonal = np.asarray(matrix).copy()
    np.fill_diagonal(off_diagonal, 0)
    sns.heatmap(
        matrix,
        annot=True,
        fmt="d",
        cmap="Blues",
        cbar=False,
        ax=ax,
        vmax=max(off_diagonal.max() * 3, 1),
    )  # keep the few errors visible
    ax.set(xlabel="predicted digit", ylabel="true digit", title=title)
    fig.tight_layout()
    return fig


def probability_bars(probabilities, ax=None, title=None):
    """Ten bars, one per digit, for one prediction; the most likely one highlighted."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 2.2))
    colors = [
        sns.color_palette()[3] if i == np.argmax(probabilities) else "0.7"
        for i in range(10)
    ]
    ax.bar(range(10), probabilities, color=colors)
    ax.set(xticks=range(10), ylim=(0, 1), title=title)
    ax.figure.tight_layout()
    return ax.figure


def predictions(images, probabilities, titles=None):
    """Each image above the bar chart of its ten predicted probabilities."""
    count = len(images)
    fig, axes = plt.subplots(
        2,
        count,
        figsize=(1.6 * count, 3.4),
        squeeze=False,
        gridspec_kw={"height_ratios": [1.2, 1]},
    )
    for i in range(count):
        axes[0, i].imshow(_image(images[i]), cmap="gray")
        axes[0, i].set(xticks=[], yticks=[])
        probs = np.asarray(probabilities[i])
        title = titles[i] if titles else f"{probs.argmax()} ({probs.max():.0%})"
        axes[0, i].set_title(title, fontsize=9)
        probability_bars(probs, ax=axes[1, i])
        axes[1, i].tick_params(labelsize=7)
        if i:
            axes[1, i].set_yticklabels([])
    fig.tight_layout()
    return fig


def heatmaps(images, maps, titles=None, cols=6, size=1.6):
    """Images in grey with a heatmap (same height and width, 0-1) laid over each."""
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * size, rows * size * 1.15), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(_image(images[i]), cmap="gray")
            ax.imshow(maps[i], cmap="jet", alpha=0.45, vmin=0, vmax=1)
            if titles:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def accuracy_vs_seconds(curves, goal=0.99, floor=0.96):
    """Notebook 09's figure: accuracy against training seconds, one panel per run.
    ``curves``: ``{title: (seconds, accuracies)}``, cumulative training seconds at each
    checkpoint and the accuracy (fraction) there. Panels have their own time axes (runs
    differ a hundredfold), a dashed line at ``goal`` and y from ``floor`` (lower points
    are drawn at the floor as open circles)."""
    fig, axes = plt.subplots(
        1, len(curves), figsize=(4 * len(curves), 3.4), sharey=True
    )
    for ax, (title, (seconds, accuracies)) in zip(np.atleast_1d(axes), curves.items()):
        seconds, accuracies = np.asarray(seconds), np.asarray(accuracies)
        shown = np.maximum(accuracies, floor)
        ax.plot(seconds, shown * 100, "-", color=sns.color_palette()[0])
        below = accuracies < floor
        ax.plot(seconds[~below], shown[~below] * 100, "o", color=sns.color_palette()[0])
        ax.plot(seconds[below], shown[below] * 100, "o", mfc="none", color="gray")
        ax.axhline(goal * 100, ls="--", color="gray", lw=1)
        ax.set(title=title, xlabel="training seconds", xlim=(0, None))
    np.atleast_1d(axes)[0].set_ylabel("test accuracy %")
    np.atleast_1d(axes)[0].set_ylim(floor * 100, 100)
    fig.tight_layout()
    return fig
