"""Several texts through the embedder in one sequence, laid end to end, without padding.

An answer's clauses differ in length. Padded to the longest, 30-40% of what a grade computed was
padding, and splitting by length costs a fixed ~70 ms a pass, so one pass of them all laid end to
end is the quickest (README, "Speed"). Each text still sees only itself: attention is masked to
its own block, and its positions restart at 0 as they do when it is alone, so that rounding is
alike too. Only Gemma 3's forward takes ready-made masks and positions; other models are padded.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MAX_TOKENS = 2048  # the masks are tokens x tokens: longer batches are padded instead
_PACKS = {"gemma3_text"}


def packable(model: Any, tokens: int) -> bool:
    return model[0].model.config.model_type in _PACKS and tokens <= MAX_TOKENS


Tensors = tuple["torch.Tensor", "torch.Tensor", "torch.Tensor"]


def forward(model: Any, features: dict[str, Any], layer: int) -> Tensors:
    """For a padded batch from `model.preprocess`: the sentence embeddings as the model's modules
    give them, and the last layer's and `layer`'s states of every real token, texts end to end."""
    import torch

    transformer = model[0].model
    mask = features["attention_mask"].bool()
    # token k of text i: where it sits in its text, and whose it is
    positions = (mask.cumsum(1) - 1)[mask]
    owner = torch.arange(len(mask))[:, None].expand_as(mask)[mask]
    same = owner[:, None] == owner[None, :]
    apart = (positions[:, None] - positions[None, :]).abs()
    masks = {
        "full_attention": same[None, None],
        # within a text, the sliding layers' window is measured as it is for the text alone
        "sliding_attention": (same & (apart < transformer.config.sliding_window))[None, None],
    }
    out = transformer(
        input_ids=features["input_ids"][mask][None],
        position_ids=positions[None],
        attention_mask=masks,
        output_hidden_states=True,
        return_dict=True,
    )
    last = out.last_hidden_state[0]
    padded = last.new_zeros((*mask.shape, last.shape[-1]))
    padded[mask] = last  # back in the batch's layout for pooling and the dense layers
    pooled: dict[str, Any] = {**features, "token_embeddings": padded}
    for module in list(model)[1:]:
        pooled = module(pooled)
    return pooled["sentence_embedding"], last, out.hidden_states[layer][0]
