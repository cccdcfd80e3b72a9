"""Contains all the data models used in inputs/outputs"""

from .api_key import ApiKey
from .audit_event import AuditEvent
from .audit_event_details_type_0 import AuditEventDetailsType0
from .audit_outcome import AuditOutcome
from .audit_page import AuditPage
from .batch_image import BatchImage
from .body_create_dataset import BodyCreateDataset
from .body_create_dataset_visibility import BodyCreateDatasetVisibility
from .callback_secret import CallbackSecret
from .control_mode import ControlMode
from .control_net_detect_response import ControlNetDetectResponse
from .control_net_model_list import ControlNetModelList
from .control_net_module_list import ControlNetModuleList
from .control_net_module_list_module_detail import ControlNetModuleListModuleDetail
from .control_net_request import ControlNetRequest
from .control_net_settings import ControlNetSettings
from .control_net_spec import ControlNetSpec
from .control_net_version import ControlNetVersion
from .create_embedding import CreateEmbedding
from .create_hypernetwork import CreateHypernetwork
from .created_tenant import CreatedTenant
from .credentials import Credentials
from .dataset_file import DatasetFile
from .dataset_info import DatasetInfo
from .dataset_info_visibility_type_0 import DatasetInfoVisibilityType0
from .dataset_list import DatasetList
from .deleted_tenant import DeletedTenant
from .deleted_tenant_removed import DeletedTenantRemoved
from .deliveries_status_type_0 import DeliveriesStatusType0
from .detect import Detect
from .embedding_item import EmbeddingItem
from .embedding_spec import EmbeddingSpec
from .embeddings_response import EmbeddingsResponse
from .embeddings_response_loaded import EmbeddingsResponseLoaded
from .embeddings_response_skipped import EmbeddingsResponseSkipped
from .empty_response import EmptyResponse
from .error import Error
from .error_body import ErrorBody
from .error_body_details import ErrorBodyDetails
from .error_details_type_0 import ErrorDetailsType0
from .extension_item import ExtensionItem
from .extras_batch import ExtrasBatch
from .extras_batch_images_response import ExtrasBatchImagesResponse
from .extras_request import ExtrasRequest
from .extras_single import ExtrasSingle
from .extras_single_image_response import ExtrasSingleImageResponse
from .extras_spec import ExtrasSpec
from .face_restore_request import FaceRestoreRequest
from .face_restore_spec import FaceRestoreSpec
from .face_restorer_item import FaceRestorerItem
from .first_admin import FirstAdmin
from .flags import Flags
from .generation_response import GenerationResponse
from .generation_response_parameters import GenerationResponseParameters
from .generation_spec import GenerationSpec
from .generation_spec_task_type_0 import GenerationSpecTaskType0
from .hires_request import HiresRequest
from .hires_spec import HiresSpec
from .hypernetwork_item import HypernetworkItem
from .hypernetwork_spec import HypernetworkSpec
from .image_ref import ImageRef
from .img_2_img import Img2Img
from .img_2_img_alwayson_scripts_type_0 import Img2ImgAlwaysonScriptsType0
from .img_2_img_comments_type_0 import Img2ImgCommentsType0
from .img_2_img_override_settings_type_0 import Img2ImgOverrideSettingsType0
from .import_body import ImportBody
from .import_body_base import ImportBodyBase
from .import_body_kind import ImportBodyKind
from .import_body_metadata import ImportBodyMetadata
from .import_body_visibility_type_0 import ImportBodyVisibilityType0
from .inference import Inference
from .inference_extras_payload_type_0 import InferenceExtrasPayloadType0
from .inference_img_2_img_payload_type_0 import InferenceImg2ImgPayloadType0
from .inference_txt_2_img_payload_type_0 import InferenceTxt2ImgPayloadType0
from .info_response import InfoResponse
from .inpaint_fill import InpaintFill
from .input_image import InputImage
from .internal_progress_response import InternalProgressResponse
from .interrogate import Interrogate
from .interrogate_response import InterrogateResponse
from .interrogate_spec import InterrogateSpec
from .interrogate_spec_type import InterrogateSpecType
from .job_record import JobRecord
from .job_request import JobRequest
from .job_status import JobStatus
from .latent_upscaler_mode_item import LatentUpscalerModeItem
from .list_jobs_reply import ListJobsReply
from .list_trainings_reply import ListTrainingsReply
from .logout import Logout
from .lora_item import LoraItem
from .lora_item_metadata import LoraItemMetadata
from .lora_request import LoraRequest
from .lora_spec import LoraSpec
from .memory_response import MemoryResponse
from .memory_response_cuda import MemoryResponseCuda
from .memory_response_ram import MemoryResponseRam
from .merge_request import MergeRequest
from .merge_request_interp_method_type_0 import MergeRequestInterpMethodType0
from .merge_spec import MergeSpec
from .merge_spec_interp_method import MergeSpecInterpMethod
from .merge_spec_metadata_type_0 import MergeSpecMetadataType0
from .model_file import ModelFile
from .model_info import ModelInfo
from .model_info_base import ModelInfoBase
from .model_info_format_type_0 import ModelInfoFormatType0
from .model_info_kind import ModelInfoKind
from .model_info_metadata_type_0 import ModelInfoMetadataType0
from .model_info_status_type_0 import ModelInfoStatusType0
from .model_info_visibility_type_0 import ModelInfoVisibilityType0
from .model_list import ModelList
from .model_patch import ModelPatch
from .model_patch_metadata_type_0 import ModelPatchMetadataType0
from .model_patch_visibility_type_0 import ModelPatchVisibilityType0
from .model_source import ModelSource
from .model_source_type import ModelSourceType
from .new_key import NewKey
from .new_password import NewPassword
from .new_role import NewRole
from .new_tenant import NewTenant
from .new_user import NewUser
from .new_webhook import NewWebhook
from .options import Options
from .outpaint_request import OutpaintRequest
from .period_usage import PeriodUsage
from .png_info import PngInfo
from .png_info_response import PNGInfoResponse
from .png_info_response_items import PNGInfoResponseItems
from .png_info_response_parameters import PNGInfoResponseParameters
from .pool import Pool
from .pool_change import PoolChange
from .pool_node_selector_type_0 import PoolNodeSelectorType0
from .pool_source_type_0 import PoolSourceType0
from .pool_spec import PoolSpec
from .pool_spec_node_selector_type_0 import PoolSpecNodeSelectorType0
from .pool_status import PoolStatus
from .pool_update import PoolUpdate
from .pool_update_node_selector_type_0 import PoolUpdateNodeSelectorType0
from .pool_worker import PoolWorker
from .pool_worker_state import PoolWorkerState
from .principal import Principal
from .progress import Progress
from .progress_response import ProgressResponse
from .progress_response_state import ProgressResponseState
from .prompt_style import PromptStyle
from .prompt_style_item import PromptStyleItem
from .quotas import Quotas
from .read_usage_bucket_type_0 import ReadUsageBucketType0
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .realesrgan_item import RealesrganItem
from .refiner_request import RefinerRequest
from .refiner_spec import RefinerSpec
from .refresh import Refresh
from .resize_mode import ResizeMode
from .role import Role
from .role_body import RoleBody
from .role_usage import RoleUsage
from .sampler import Sampler
from .sampler_item import SamplerItem
from .sampler_item_options import SamplerItemOptions
from .scheduler import Scheduler
from .scheduler_item import SchedulerItem
from .script_arg import ScriptArg
from .script_info import ScriptInfo
from .scripts_list import ScriptsList
from .sd_model_item import SDModelItem
from .sd_upscale_request import SdUpscaleRequest
from .sd_upscale_spec import SdUpscaleSpec
from .sd_vae_item import SDVaeItem
from .sdxl_conditioning import SdxlConditioning
from .session_info import SessionInfo
from .set_options_options import SetOptionsOptions
from .task_progress import TaskProgress
from .tenant import Tenant
from .tenant_patch import TenantPatch
from .timings import Timings
from .token_pair import TokenPair
from .totals import Totals
from .train_embedding import TrainEmbedding
from .train_hypernetwork import TrainHypernetwork
from .training_checkpoint import TrainingCheckpoint
from .training_class_images import TrainingClassImages
from .training_dreambooth_request import TrainingDreamboothRequest
from .training_hypernetwork import TrainingHypernetwork
from .training_hypernetwork_activation_type_0 import TrainingHypernetworkActivationType0
from .training_hypernetwork_weight_init_type_0 import TrainingHypernetworkWeightInitType0
from .training_learning_rates import TrainingLearningRates
from .training_log_line import TrainingLogLine
from .training_log_line_level import TrainingLogLineLevel
from .training_logs import TrainingLogs
from .training_lora import TrainingLora
from .training_method import TrainingMethod
from .training_progress import TrainingProgress
from .training_record import TrainingRecord
from .training_request import TrainingRequest
from .training_request_lr_scheduler_type_0 import TrainingRequestLrSchedulerType0
from .training_request_mixed_precision_type_0 import TrainingRequestMixedPrecisionType0
from .training_request_save_precision_type_0 import TrainingRequestSavePrecisionType0
from .training_sample import TrainingSample
from .training_samples import TrainingSamples
from .training_samples_sampler_type_0 import TrainingSamplesSamplerType0
from .training_status import TrainingStatus
from .training_textual_inversion import TrainingTextualInversion
from .txt_2_img import Txt2Img
from .txt_2_img_alwayson_scripts_type_0 import Txt2ImgAlwaysonScriptsType0
from .txt_2_img_comments_type_0 import Txt2ImgCommentsType0
from .txt_2_img_override_settings_type_0 import Txt2ImgOverrideSettingsType0
from .upload import Upload
from .upload_form import UploadForm
from .upload_form_fields import UploadFormFields
from .upscaler_item import UpscalerItem
from .usage import Usage
from .usage_bucket import UsageBucket
from .user import User
from .user_patch import UserPatch
from .user_settings import UserSettings
from .user_settings_webui_options_type_0 import UserSettingsWebuiOptionsType0
from .user_usage import UserUsage
from .web_ui_error_body import WebUIErrorBody
from .web_ui_error_body_details import WebUIErrorBodyDetails
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_status import WebhookDeliveryStatus
from .webhook_endpoint import WebhookEndpoint
from .webhook_event_type import WebhookEventType
from .webhook_patch import WebhookPatch
from .webhook_scope import WebhookScope

__all__ = (
    "ApiKey",
    "AuditEvent",
    "AuditEventDetailsType0",
    "AuditOutcome",
    "AuditPage",
    "BatchImage",
    "BodyCreateDataset",
    "BodyCreateDatasetVisibility",
    "CallbackSecret",
    "ControlMode",
    "ControlNetDetectResponse",
    "ControlNetModelList",
    "ControlNetModuleList",
    "ControlNetModuleListModuleDetail",
    "ControlNetRequest",
    "ControlNetSettings",
    "ControlNetSpec",
    "ControlNetVersion",
    "CreatedTenant",
    "CreateEmbedding",
    "CreateHypernetwork",
    "Credentials",
    "DatasetFile",
    "DatasetInfo",
    "DatasetInfoVisibilityType0",
    "DatasetList",
    "DeletedTenant",
    "DeletedTenantRemoved",
    "DeliveriesStatusType0",
    "Detect",
    "EmbeddingItem",
    "EmbeddingSpec",
    "EmbeddingsResponse",
    "EmbeddingsResponseLoaded",
    "EmbeddingsResponseSkipped",
    "EmptyResponse",
    "Error",
    "ErrorBody",
    "ErrorBodyDetails",
    "ErrorDetailsType0",
    "ExtensionItem",
    "ExtrasBatch",
    "ExtrasBatchImagesResponse",
    "ExtrasRequest",
    "ExtrasSingle",
    "ExtrasSingleImageResponse",
    "ExtrasSpec",
    "FaceRestoreRequest",
    "FaceRestorerItem",
    "FaceRestoreSpec",
    "FirstAdmin",
    "Flags",
    "GenerationResponse",
    "GenerationResponseParameters",
    "GenerationSpec",
    "GenerationSpecTaskType0",
    "HiresRequest",
    "HiresSpec",
    "HypernetworkItem",
    "HypernetworkSpec",
    "ImageRef",
    "Img2Img",
    "Img2ImgAlwaysonScriptsType0",
    "Img2ImgCommentsType0",
    "Img2ImgOverrideSettingsType0",
    "ImportBody",
    "ImportBodyBase",
    "ImportBodyKind",
    "ImportBodyMetadata",
    "ImportBodyVisibilityType0",
    "Inference",
    "InferenceExtrasPayloadType0",
    "InferenceImg2ImgPayloadType0",
    "InferenceTxt2ImgPayloadType0",
    "InfoResponse",
    "InpaintFill",
    "InputImage",
    "InternalProgressResponse",
    "Interrogate",
    "InterrogateResponse",
    "InterrogateSpec",
    "InterrogateSpecType",
    "JobRecord",
    "JobRequest",
    "JobStatus",
    "LatentUpscalerModeItem",
    "ListJobsReply",
    "ListTrainingsReply",
    "Logout",
    "LoraItem",
    "LoraItemMetadata",
    "LoraRequest",
    "LoraSpec",
    "MemoryResponse",
    "MemoryResponseCuda",
    "MemoryResponseRam",
    "MergeRequest",
    "MergeRequestInterpMethodType0",
    "MergeSpec",
    "MergeSpecInterpMethod",
    "MergeSpecMetadataType0",
    "ModelFile",
    "ModelInfo",
    "ModelInfoBase",
    "ModelInfoFormatType0",
    "ModelInfoKind",
    "ModelInfoMetadataType0",
    "ModelInfoStatusType0",
    "ModelInfoVisibilityType0",
    "ModelList",
    "ModelPatch",
    "ModelPatchMetadataType0",
    "ModelPatchVisibilityType0",
    "ModelSource",
    "ModelSourceType",
    "NewKey",
    "NewPassword",
    "NewRole",
    "NewTenant",
    "NewUser",
    "NewWebhook",
    "Options",
    "OutpaintRequest",
    "PeriodUsage",
    "PngInfo",
    "PNGInfoResponse",
    "PNGInfoResponseItems",
    "PNGInfoResponseParameters",
    "Pool",
    "PoolChange",
    "PoolNodeSelectorType0",
    "PoolSourceType0",
    "PoolSpec",
    "PoolSpecNodeSelectorType0",
    "PoolStatus",
    "PoolUpdate",
    "PoolUpdateNodeSelectorType0",
    "PoolWorker",
    "PoolWorkerState",
    "Principal",
    "Progress",
    "ProgressResponse",
    "ProgressResponseState",
    "PromptStyle",
    "PromptStyleItem",
    "Quotas",
    "Readiness",
    "ReadinessChecks",
    "ReadUsageBucketType0",
    "RealesrganItem",
    "RefinerRequest",
    "RefinerSpec",
    "Refresh",
    "ResizeMode",
    "Role",
    "RoleBody",
    "RoleUsage",
    "Sampler",
    "SamplerItem",
    "SamplerItemOptions",
    "Scheduler",
    "SchedulerItem",
    "ScriptArg",
    "ScriptInfo",
    "ScriptsList",
    "SDModelItem",
    "SdUpscaleRequest",
    "SdUpscaleSpec",
    "SDVaeItem",
    "SdxlConditioning",
    "SessionInfo",
    "SetOptionsOptions",
    "TaskProgress",
    "Tenant",
    "TenantPatch",
    "Timings",
    "TokenPair",
    "Totals",
    "TrainEmbedding",
    "TrainHypernetwork",
    "TrainingCheckpoint",
    "TrainingClassImages",
    "TrainingDreamboothRequest",
    "TrainingHypernetwork",
    "TrainingHypernetworkActivationType0",
    "TrainingHypernetworkWeightInitType0",
    "TrainingLearningRates",
    "TrainingLogLine",
    "TrainingLogLineLevel",
    "TrainingLogs",
    "TrainingLora",
    "TrainingMethod",
    "TrainingProgress",
    "TrainingRecord",
    "TrainingRequest",
    "TrainingRequestLrSchedulerType0",
    "TrainingRequestMixedPrecisionType0",
    "TrainingRequestSavePrecisionType0",
    "TrainingSample",
    "TrainingSamples",
    "TrainingSamplesSamplerType0",
    "TrainingStatus",
    "TrainingTextualInversion",
    "Txt2Img",
    "Txt2ImgAlwaysonScriptsType0",
    "Txt2ImgCommentsType0",
    "Txt2ImgOverrideSettingsType0",
    "Upload",
    "UploadForm",
    "UploadFormFields",
    "UpscalerItem",
    "Usage",
    "UsageBucket",
    "User",
    "UserPatch",
    "UserSettings",
    "UserSettingsWebuiOptionsType0",
    "UserUsage",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEventType",
    "WebhookPatch",
    "WebhookScope",
    "WebUIErrorBody",
    "WebUIErrorBodyDetails",
)
